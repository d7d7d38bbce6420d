namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>
/// Tenant ids as small integers, so the in-memory indexes compare an int per row instead of a string. Not
/// thread-safe: callers hold their write lock to add and their read lock to look up.
/// </summary>
internal sealed class TenantCodes
{
    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);

    /// <summary>The tenant's code, assigned on first sight.</summary>
    public int CodeOf(string tenantId)
    {
        if (!_codes.TryGetValue(tenantId, out var code))
        {
            code = _codes.Count;
            _codes[tenantId] = code;
        }
        return code;
    }

    /// <summary>The tenant's code, or -2 for a tenant never seen (no row has it, so it matches nothing).</summary>
    public int Lookup(string tenantId) => _codes.GetValueOrDefault(tenantId, -2);
}

/// <summary>
/// A <see cref="SearchFilter"/> prepared for a scan over in-memory rows: global plus the caller's tenant, active
/// only, and the optional documents (any of) and tags (any of) — the same rule the SQL filter applies.
/// </summary>
internal readonly struct RowFilter
{
    private readonly int _globalCode;
    private readonly int _tenantCode;
    private readonly HashSet<Guid>? _documents;
    private readonly HashSet<string>? _tags;

    /// <summary>Call under the read lock that guards <paramref name="tenants"/>.</summary>
    public RowFilter(SearchFilter filter, TenantCodes tenants)
    {
        _globalCode = tenants.Lookup(Tenants.Global);
        _tenantCode = tenants.Lookup(filter.TenantId);
        _documents = filter.DocumentIds is { Count: > 0 } ids ? ids.ToHashSet() : null;
        _tags = filter.Tags is { Count: > 0 } t ? t.ToHashSet(StringComparer.Ordinal) : null;
    }

    public bool Admits(int tenantCode, bool active, Guid documentId, IReadOnlyList<string> tags) =>
        (tenantCode == _globalCode || tenantCode == _tenantCode) && active
        && (_documents is null || _documents.Contains(documentId))
        && (_tags is null || tags.Any(_tags.Contains));
}

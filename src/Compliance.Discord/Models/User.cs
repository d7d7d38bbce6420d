namespace Compliance.Discord.Models;

/// <summary>A Discord user (partial: the fields a bot needs).</summary>
public sealed record User
{
    public ulong Id { get; init; }
    public string Username { get; init; } = "";
    public string? Discriminator { get; init; }
    public string? GlobalName { get; init; }
    public string? Avatar { get; init; }
    public bool? Bot { get; init; }

    /// <summary>The name to show: the global display name when set, else the username.</summary>
    public string DisplayName => string.IsNullOrEmpty(GlobalName) ? Username : GlobalName;
}

/// <summary>A guild member as sent with interactions (<c>user</c> present) and messages (<c>user</c> absent).</summary>
public sealed record GuildMember
{
    public User? User { get; init; }
    public string? Nick { get; init; }
    public IReadOnlyList<ulong>? Roles { get; init; }
    public DateTimeOffset? JoinedAt { get; init; }

    /// <summary>Total permissions of the member in the channel (a bitfield as a decimal string).</summary>
    public string? Permissions { get; init; }

    /// <summary>Parsed <see cref="Permissions"/>; 0 when absent.</summary>
    public ulong PermissionBits => ulong.TryParse(Permissions, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits) ? bits : 0;
}

/// <summary>A partial channel.</summary>
public sealed record Channel
{
    public ulong Id { get; init; }
    public int Type { get; init; }
    public ulong? GuildId { get; init; }
    public string? Name { get; init; }
    public ulong? ParentId { get; init; }
    public ulong? OwnerId { get; init; }
}

/// <summary>The application, from READY or <c>GET /applications/@me</c>.</summary>
public sealed record Application
{
    public ulong Id { get; init; }
    public string? Name { get; init; }
    public long? Flags { get; init; }
}

/// <summary><c>GET /gateway/bot</c>.</summary>
public sealed record GatewayBotInfo
{
    public Uri Url { get; init; } = null!;
    public int Shards { get; init; }
    public SessionStartLimit? SessionStartLimit { get; init; }
}

/// <summary>Identify budget: <c>reset_after</c> is in milliseconds.</summary>
public sealed record SessionStartLimit
{
    public int Total { get; init; }
    public int Remaining { get; init; }
    public long ResetAfter { get; init; }
    public int MaxConcurrency { get; init; }
}

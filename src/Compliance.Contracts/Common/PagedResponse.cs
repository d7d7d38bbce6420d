namespace Compliance.Contracts.Common;

/// <summary>One page of a longer list. <see cref="Total"/> counts every item matching the filter.</summary>
public sealed record PagedResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

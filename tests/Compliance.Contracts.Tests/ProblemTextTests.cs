using Compliance.Contracts.Common;

namespace Compliance.Contracts.Tests;

/// <summary>Every client shows the API's problem sentence the same way: detail, else title, else nothing.</summary>
public sealed class ProblemTextTests
{
    [Theory]
    [InlineData("""{"type":"/problems/rate-limited","title":"Too many questions","status":429,"detail":"You have asked 30 questions this minute; try again in 12 seconds."}""", "You have asked 30 questions this minute; try again in 12 seconds.")]
    [InlineData("""{"title":"Unsupported Media Type","status":415}""", "Unsupported Media Type")]
    [InlineData("""{"title":"Bad Request","detail":"   "}""", "Bad Request")]
    [InlineData("""{"detail":"  padded  "}""", "padded")]
    public void The_detail_is_preferred_then_the_title(string body, string expected) =>
        Assert.Equal(expected, ProblemText.Of(body));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("""["detail"]""")]
    [InlineData("""{"detail":42,"title":null}""")]
    [InlineData("""{"detail":""")]
    public void Anything_else_has_no_sentence(string? body) =>
        Assert.Null(ProblemText.Of(body));
}

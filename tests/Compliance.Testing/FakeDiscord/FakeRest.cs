using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

/// <summary>The fake's REST API under <c>/api/v10</c>.</summary>
public sealed partial class FakeRest
{
    private readonly FakeDiscordServer _server;

    internal FakeRest(FakeDiscordServer server) => _server = server;

    public FakeInteractionRegistry Interactions { get; } = new();

    internal void Map(WebApplication app)
    {
        app.MapGet("/api/v10/gateway/bot", () => Results.Json(new JsonObject
        {
            ["url"] = _server.Gateway.Url.ToString().Replace("/gateway", "", StringComparison.Ordinal) + "gateway",
            ["shards"] = 1,
            ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 14_400_000, ["max_concurrency"] = 1 },
        }));
    }
}

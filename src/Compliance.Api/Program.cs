var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/health/live", () => TypedResults.Ok("ok"));
app.Run();

/// <summary>Entry point type, public so WebApplicationFactory can find it.</summary>
public partial class Program;

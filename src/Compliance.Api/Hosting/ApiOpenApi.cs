using Compliance.Contracts.Documents;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Compliance.Api.Hosting;

/// <summary>
/// The OpenAPI document as the API behaves: the bearer scheme, which operations need it, 413 wherever a body is read
/// (every body has a limit, see <c>RequestBodyLimitMiddleware</c>), and the upload's form fields. The 401/403
/// responses come from the route groups (<c>Program.cs</c>).
/// </summary>
public static class ApiOpenApi
{
    public const string BearerScheme = "Bearer";

    private static readonly string[] DocumentStatusNames =
    [
        DocumentStatuses.Queued, DocumentStatuses.Extracting, DocumentStatuses.Embedding, DocumentStatuses.Indexed,
        DocumentStatuses.Failed, DocumentStatuses.Superseded, DocumentStatuses.Deleted,
    ];

    public static IServiceCollection AddApiOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "ADMIN_TOKEN (or ADMIN_TOKEN_SECONDARY) for /admin, /health/detailed and /health/metrics; " +
                        "SERVICE_TOKEN (the bot) or an admin token for /api/v1.",
                };
                return Task.CompletedTask;
            });
            // A document's status is a closed set: say which, so clients can poll until it is settled.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(DocumentResponse) && schema.Properties?.TryGetValue("status", out var status) == true &&
                    status is OpenApiSchema text)
                {
                    text.Enum = [.. DocumentStatusNames.Select(name => (System.Text.Json.Nodes.JsonNode)name)];
                    text.Description = "queued, extracting and embedding while the background ingestion runs (poll GET /admin/documents/{id}); " +
                        "then indexed, or failed with the reason in error. superseded and deleted come later.";
                }
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                }
                if (operation.RequestBody is not null)
                {
                    operation.Responses ??= [];
                    operation.Responses.TryAdd("413", new OpenApiResponse
                    {
                        Description = "The body is over this route's limit (REQUEST_BODY_MAX_BYTES; uploads: UPLOAD_MAX_BYTES).",
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
                        },
                    });
                }
                return Task.CompletedTask;
            });
        });

    /// <summary>Describes <c>POST /admin/documents</c>' multipart form: the file and its optional fields.</summary>
    public static RouteHandlerBuilder WithDocumentUploadForm(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            static OpenApiSchema Text(string description, string? format = null) =>
                new() { Type = JsonSchemaType.String, Format = format, Description = description };
            var form = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { DocumentUploadFields.File },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    [DocumentUploadFields.File] = Text("The document; its type is sniffed from the content, not taken from the name.", "binary"),
                    [DocumentUploadFields.Title] = Text("Display title, up to 300 characters; default: the first heading or the file name."),
                    [DocumentUploadFields.Tenant] = Text("'global' (default) or a Discord guild id."),
                    [DocumentUploadFields.Tags] = Text("Comma-separated tags: at most 20, each up to 50 letters, digits, '-' or '_'."),
                    [DocumentUploadFields.EffectiveDate] = Text("The date from which the document applies (yyyy-MM-dd).", "date"),
                    [DocumentUploadFields.Source] = Text("Where it came from (up to 500 characters); the same source with new bytes is a new version."),
                },
            };
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new() { Schema = form } },
            };
            return Task.CompletedTask;
        });
}

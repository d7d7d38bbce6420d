using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Compliance.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BackgroundIngestion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ChunksEmbedded",
                table: "documents",
                type: "integer",
                nullable: false,
                defaultValue: 0);
            // The default only fills existing rows: the model has none, and a database migrated today must equal it.
            migrationBuilder.Sql("ALTER TABLE documents ALTER COLUMN \"ChunksEmbedded\" DROP DEFAULT;");

            migrationBuilder.CreateTable(
                name: "document_uploads",
                columns: table => new
                {
                    DocumentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_uploads", x => x.DocumentId);
                    table.ForeignKey(
                        name: "FK_document_uploads_documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The statuses of synchronous ingestion become the worker's: "pending" (never extracted, bytes not kept)
            // is queued and then failed by the worker with "upload again"; "indexing" (text kept) resumes embedding.
            migrationBuilder.Sql("UPDATE documents SET \"Status\" = 'queued' WHERE \"Status\" = 'pending';");
            migrationBuilder.Sql("UPDATE documents SET \"Status\" = 'embedding' WHERE \"Status\" = 'indexing';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE documents SET \"Status\" = 'pending' WHERE \"Status\" IN ('queued', 'extracting') AND \"ExtractedText\" IS NULL;");
            migrationBuilder.Sql("UPDATE documents SET \"Status\" = 'indexing' WHERE \"Status\" IN ('queued', 'extracting', 'embedding');");

            migrationBuilder.DropTable(
                name: "document_uploads");

            migrationBuilder.DropColumn(
                name: "ChunksEmbedded",
                table: "documents");
        }
    }
}

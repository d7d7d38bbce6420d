using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Compliance.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ReembedPending : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ReembedPending",
                table: "documents",
                type: "boolean",
                nullable: false,
                defaultValue: false);
            // The default only fills existing rows (their vectors are the recorded model's): the model has none, and
            // a database migrated today must equal it.
            migrationBuilder.Sql("ALTER TABLE documents ALTER COLUMN \"ReembedPending\" DROP DEFAULT;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReembedPending",
                table: "documents");
        }
    }
}

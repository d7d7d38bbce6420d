namespace Compliance.Api.Tests;

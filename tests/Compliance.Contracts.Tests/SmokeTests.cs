namespace Compliance.Contracts.Tests;

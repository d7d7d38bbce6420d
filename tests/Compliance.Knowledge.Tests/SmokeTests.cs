namespace Compliance.Knowledge.Tests;

"""Sums the TRX files one `dotnet test` run wrote and prints the outcome for ./test.sh.

Usage: trx_summary.py RESULTS_DIR [--dotnet-exit-code N] [--expect PROJECT ...]

Prints failed tests (with the first line of their message), skipped tests with their reason, test runs that
aborted, and expected test projects that left no results (they did not build, or their host crashed); the last
line is exactly "N passed, N failed, N skipped". An aborted run, a project without results, or a non-zero exit of
`dotnet test` with no failing test each count as one failure, so the last line never says "0 failed" when the run
did not succeed. Exits 1 if the failed count is not zero, else 0. Standard library only: any python3 runs it.
"""

import argparse
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
PASSED = {"Passed", "PassedButRunAborted"}
SKIPPED = {"NotExecuted", "Inconclusive", "NotRunnable"}
ABORTED_RUN = {"Aborted", "Error", "Timeout"}
DLL_NAME = re.compile(r"([A-Za-z0-9_.-]+)\.dll\b")


def first_line(text):
    """The first non-blank line of a message, trimmed, or an empty string."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def summarize(results_dir, expected):
    passed = failed = skipped = 0
    failures, skips, aborted, seen_assemblies = [], [], [], set()

    for trx in sorted(pathlib.Path(results_dir).rglob("*.trx")):
        try:
            root = ET.parse(trx).getroot()
        except ET.ParseError as error:
            aborted.append(f"{trx.name}: unreadable TRX ({error})")
            continue

        # Which test assembly wrote this file: from its test definitions, or, when it found no tests, the run info.
        for test in root.iterfind("t:TestDefinitions/t:UnitTest", NS):
            seen_assemblies.add(pathlib.Path(test.get("storage", "")).stem.lower())
        for text in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo/t:Text", NS):
            seen_assemblies.update(name.lower() for name in DLL_NAME.findall(text.text or ""))

        summary = root.find("t:ResultSummary", NS)
        if summary is not None and summary.get("outcome") in ABORTED_RUN:
            infos = [first_line(t.text) for t in summary.iterfind("t:RunInfos/t:RunInfo/t:Text", NS)]
            aborted.append(f"{trx.name}: run {summary.get('outcome').lower()}; {'; '.join(i for i in infos if i)}")

        for result in root.iterfind("t:Results/t:UnitTestResult", NS):
            outcome = result.get("outcome", "")
            name = result.get("testName", "?")
            message = first_line(result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS))
            if outcome in PASSED:
                passed += 1
            elif outcome in SKIPPED:
                skipped += 1
                skips.append((name, message or first_line(result.findtext("t:Output/t:StdOut", default="", namespaces=NS))))
            else:
                failed += 1
                failures.append((name, outcome, message))

    missing = [p for p in expected if p.lower() not in seen_assemblies]
    return passed, failed, skipped, failures, skips, aborted, missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir")
    parser.add_argument("--expect", nargs="*", default=[], help="test project names that must have results")
    parser.add_argument("--dotnet-exit-code", type=int, default=0, help="exit code of `dotnet test`")
    args = parser.parse_args()

    passed, failed, skipped, failures, skips, aborted, missing = summarize(args.results_dir, args.expect)
    failed += len(aborted) + len(missing)

    for name, reason in skips:
        print(f"  skipped  {name}" + (f": {reason}" if reason else ""))
    for name, outcome, message in failures:
        print(f"  FAILED   {name}" + (f" ({outcome})" if outcome != "Failed" else "") + (f": {message}" if message else ""))
    for line in aborted:
        print(f"  ABORTED  {line} (counted as 1 failed)")
    for project in missing:
        print(f"  NO RESULTS  {project}: it did not build or its test host crashed, see above (counted as 1 failed)")
    if args.dotnet_exit_code != 0 and failed == 0:
        # Everything that reported passed, yet dotnet test failed: a build error outside the test projects, say.
        failed = 1
        print(f"  ERROR    dotnet test exited with code {args.dotnet_exit_code} although no test failed;"
              " see its output above (counted as 1 failed)")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

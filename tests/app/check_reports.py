#!/usr/bin/env python3
"""`stagecraft check --format sarif|codequality` run as a CI job runs it, the output checked
against what code hosts read: the SARIF log against the official SARIF 2.1.0 JSON schema
(tests/data/sarif, vendored because CI is offline) plus what GitHub code scanning needs beyond
the schema, and the GitLab Code Quality report for its required keys and stable fingerprints.

Usage: check_reports.py STAGECRAFT SCHEMA
Exit 77 (skipped) when python3-jsonschema is not installed."""

import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipped")
    sys.exit(77)

STAGECRAFT, SCHEMA = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


# A Dockerfile with findings of both kinds: BuildKit's (casing, JSON CMD) and Stagecraft's
# (toolchain in the final stage, COPY . without a .dockerignore, an unused stage).
WITH_FINDINGS = """FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

from debian:12 as unused
RUN echo unused

FROM golang:1.22
COPY --from=build /out/app /app
CMD /app
"""
# A parse error, which has no rule of its own.
BROKEN = """FROM alpine
COPY --from=nowhere
"""
CLEAN = """FROM scratch
COPY app /app
ENTRYPOINT ["/app"]
"""


def run(cwd, *args):
    p = subprocess.run([STAGECRAFT, "check", *args], cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def sarif_checks(doc, where, expected_uri):
    validator = jsonschema.Draft7Validator(json.load(open(SCHEMA)),
                                           format_checker=jsonschema.FormatChecker())
    for error in validator.iter_errors(doc):
        failures.append(f"{where}: schema: {error.message} at {list(error.absolute_path)}")
    check(doc.get("version") == "2.1.0", f"{where}: version")
    runs = doc.get("runs", [])
    check(len(runs) == 1, f"{where}: one run")
    if not runs:
        return
    driver = runs[0]["tool"]["driver"]
    check(driver.get("name") == "stagecraft", f"{where}: driver name")
    check(re.fullmatch(r"\d+\.\d+\.\d+.*", driver.get("version", "")), f"{where}: driver version")
    check(driver.get("informationUri", "").startswith("https://"), f"{where}: informationUri absolute")
    rules = driver.get("rules", [])
    ids = [r["id"] for r in rules]
    check(len(ids) == len(set(ids)), f"{where}: rule ids unique")
    for sc in (f"SC{n:03}" for n in range(1, 10)):
        check(sc in ids, f"{where}: rule {sc} described")
    for buildkit in ("FromAsCasing", "ConsistentInstructionCasing", "JSONArgsRecommended",
                     "UndefinedVar", "CopyIgnoredFile", "InvalidDefinitionDescription"):
        check(buildkit in ids, f"{where}: rule {buildkit} described")
    for r in rules:
        for key in ("name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration"):
            check(key in r, f"{where}: rule {r['id']} has {key}")
        check(r.get("helpUri", "").startswith("https://"), f"{where}: rule {r['id']} helpUri absolute")
        check(r.get("defaultConfiguration", {}).get("level") in ("error", "warning", "note"),
              f"{where}: rule {r['id']} level")
    for result in runs[0].get("results", []):
        index = result.get("ruleIndex", -1)
        check(0 <= index < len(rules) and rules[index]["id"] == result.get("ruleId"),
              f"{where}: ruleIndex {index} names {result.get('ruleId')}")
        check(result.get("level") in ("error", "warning", "note"), f"{where}: result level")
        for loc in result.get("locations", []):
            art = loc["physicalLocation"]["artifactLocation"]
            check(art.get("uri") == expected_uri, f"{where}: uri {art.get('uri')!r} != {expected_uri!r}")
            check(art.get("uriBaseId") == "%SRCROOT%", f"{where}: uriBaseId")
            region = loc["physicalLocation"].get("region")
            if region:
                check(region["startLine"] >= 1 and region["startColumn"] >= 1, f"{where}: region 1-based")
                if "endLine" in region:
                    check((region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"]),
                          f"{where}: region ends after it starts")
    return runs[0].get("results", [])


def codequality_checks(issues, where, expected_path):
    check(isinstance(issues, list), f"{where}: an array")
    for issue in issues:
        for key in ("description", "check_name", "fingerprint", "severity", "location"):
            check(key in issue, f"{where}: issue has {key}")
        check(issue.get("severity") in ("info", "minor", "major", "critical", "blocker"), f"{where}: severity")
        check(re.fullmatch(r"[0-9a-f]{64}", issue.get("fingerprint", "")), f"{where}: fingerprint is SHA-256 hex")
        location = issue.get("location", {})
        check(location.get("path") == expected_path, f"{where}: path {location.get('path')!r}")
        check(isinstance(location.get("lines", {}).get("begin"), int) and location["lines"]["begin"] >= 1,
              f"{where}: lines.begin")
    fingerprints = [i["fingerprint"] for i in issues]
    check(len(fingerprints) == len(set(fingerprints)), f"{where}: different findings, different fingerprints")


with tempfile.TemporaryDirectory() as tmp:
    # A checkout with the Dockerfile in a folder whose name needs percent-encoding.
    folder = os.path.join(tmp, "docker files")
    os.makedirs(folder)
    for name, text in (("Dockerfile", WITH_FINDINGS), ("Broken.Dockerfile", BROKEN), ("Clean.Dockerfile", CLEAN)):
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)

    # The findings file: SARIF valid, its rules and results as GitHub needs them.
    text_status, _, _ = run(tmp, "-f", "docker files/Dockerfile")
    status, out, err = run(tmp, "-f", "docker files/Dockerfile", "--format", "sarif")
    check(status == text_status == 0, f"sarif exit status {status}, text {text_status}: {err}")
    results = sarif_checks(json.loads(out), "findings", "docker%20files/Dockerfile") or []
    rule_ids = {r["ruleId"] for r in results}
    for expected in ("SC001", "SC002", "SC006", "ConsistentInstructionCasing", "JSONArgsRecommended"):
        check(expected in rule_ids, f"findings: {expected} reported (got {sorted(rule_ids)})")
    check(any("fixes" in r for r in results), "findings: a quick-fix is carried as a SARIF fix")
    casing = [r for r in results if r["ruleId"] == "ConsistentInstructionCasing"]
    if casing:
        region = casing[0]["locations"][0]["physicalLocation"]["region"]
        check((region["startLine"], region["startColumn"], region["endColumn"]) == (6, 1, 5),
              f"findings: casing region {region}")

    # From the Dockerfile's own folder the URI is just its name.
    status, out, _ = run(folder, "--format", "sarif")
    sarif_checks(json.loads(out), "own folder", "Dockerfile")

    # A parse error: exit status 1 as in text, reported under DockerfileError with level error.
    text_status, _, _ = run(folder, "-f", "Broken.Dockerfile")
    status, out, _ = run(folder, "-f", "Broken.Dockerfile", "--format", "sarif")
    check(status == text_status == 1, f"broken: exit status {status}, text {text_status}")
    broken = sarif_checks(json.loads(out), "broken", "Broken.Dockerfile") or []
    check(any(r["ruleId"] == "DockerfileError" and r["level"] == "error" for r in broken),
          f"broken: DockerfileError reported as an error: {broken}")

    # A clean file: a valid log with no results, every rule still described.
    status, out, _ = run(folder, "-f", "Clean.Dockerfile", "--format", "sarif")
    check(status == 0, "clean: exit status")
    check(sarif_checks(json.loads(out), "clean", "Clean.Dockerfile") == [], "clean: no results")

    # Code Quality: required keys, and fingerprints that stay put from run to run.
    status, out, err = run(tmp, "-f", "docker files/Dockerfile", "--format", "codequality")
    check(status == 0, f"codequality exit status {status}: {err}")
    first = json.loads(out)
    codequality_checks(first, "codequality", "docker files/Dockerfile")
    check(len(first) == len(results), f"codequality: {len(first)} issues, SARIF {len(results)} results")
    _, again, _ = run(tmp, "-f", "docker files/Dockerfile", "--format", "codequality")
    check([i["fingerprint"] for i in json.loads(again)] == [i["fingerprint"] for i in first],
          "codequality: fingerprints stable across runs")
    # The same finding one line lower is another finding (GitLab shows it as new).
    with open(os.path.join(folder, "Dockerfile"), "w") as f:
        f.write("# a comment\n" + WITH_FINDINGS)
    _, moved, _ = run(tmp, "-f", "docker files/Dockerfile", "--format", "codequality")
    check(not ({i["fingerprint"] for i in json.loads(moved)} & {i["fingerprint"] for i in first}),
          "codequality: a moved finding has a new fingerprint")
    status, out, _ = run(folder, "-f", "Broken.Dockerfile", "--format", "codequality")
    check(status == 1, "codequality broken: exit status 1")
    broken_issues = json.loads(out)
    codequality_checks(broken_issues, "codequality broken", "Broken.Dockerfile")
    check(any(i["severity"] == "blocker" and i["check_name"] == "DockerfileError" for i in broken_issues),
          "codequality broken: the error is a blocker")

for failure in failures:
    print("FAIL:", failure)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)

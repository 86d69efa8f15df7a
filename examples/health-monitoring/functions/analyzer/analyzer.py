"""The data analyzer of ../shared/reference 003, as a Sluice function: for each validated file it
fetches the processed CSV from the object store (as the original fetched it from S3), flags the
readings outside the thresholds below, and returns the analysis as events, which the function
target's onSuccess puts on the bus:

- one `Reading Abnormal` per flagged reading (patient, time, every finding, the reading), and
- one `Analysis Completed` for the file (counts, findings per metric, averages, the abnormal
  readings): the report, which the `insights` llm function turns into prose when its rule is on.

It is called with a `Validation Succeeded` or `Validation Failed` (status partial) event, whose
detail names the bucket and `processedKey`. SLUICE_URL (set in ../../sluice.yaml) is where the
object store answers; SLUICE_API_KEY, when set, is sent as a bearer token.

The thresholds are illustrative, for the example's data: not clinical advice.
"""
import csv
import io
import os
import urllib.error
import urllib.parse
import urllib.request

# metric, finding, operator, bound, severity: per metric and finding, the first that holds is the
# finding (so a critical bound comes before its warning one).
RULES = [
    ("heart_rate", "bradycardia", "<", 40, "critical"),
    ("heart_rate", "bradycardia", "<", 50, "warning"),
    ("heart_rate", "tachycardia", ">", 130, "critical"),
    ("heart_rate", "tachycardia", ">", 100, "warning"),
    ("spo2", "low oxygen saturation", "<", 90, "critical"),
    ("spo2", "low oxygen saturation", "<", 95, "warning"),
    ("temperature_c", "hypothermia", "<", 35.0, "critical"),
    ("temperature_c", "hypothermia", "<", 36.0, "warning"),
    ("temperature_c", "fever", ">=", 39.0, "critical"),
    ("temperature_c", "fever", ">=", 38.0, "warning"),
    ("systolic_bp", "low blood pressure", "<", 80, "critical"),
    ("systolic_bp", "low blood pressure", "<", 90, "warning"),
    ("systolic_bp", "high blood pressure", ">=", 180, "critical"),
    ("systolic_bp", "high blood pressure", ">=", 140, "warning"),
    ("diastolic_bp", "low blood pressure", "<", 50, "critical"),
    ("diastolic_bp", "low blood pressure", "<", 60, "warning"),
    ("diastolic_bp", "high blood pressure", ">=", 120, "critical"),
    ("diastolic_bp", "high blood pressure", ">=", 90, "warning"),
]
OPERATORS = {"<": lambda v, b: v < b, ">": lambda v, b: v > b, ">=": lambda v, b: v >= b}
# the columns analysed, as the schema in ../../sluice.yaml types them
NUMBERS = {"heart_rate": int, "systolic_bp": int, "diastolic_bp": int, "temperature_c": float,
           "spo2": int}
SOURCE = "health.analyzer"


class InputPermanentError(Exception):
    """The event or the file cannot be analysed, and trying again will not change that."""


def findings(reading):
    """The findings of one reading: [{metric, value, finding, rule, severity}], critical first."""
    out = []
    seen = set()
    for metric, finding, op, bound, severity in RULES:
        value = reading[metric]
        if (metric, finding) not in seen and OPERATORS[op](value, bound):
            seen.add((metric, finding))
            out.append({"metric": metric, "value": value, "finding": finding,
                        "rule": "%s %s" % (op, bound), "severity": severity})
    out.sort(key=lambda f: f["severity"] != "critical")
    return out


def fetch(bucket, key):
    """The object's text, from Sluice's object store."""
    base = os.environ.get("SLUICE_URL", "http://127.0.0.1:7070").rstrip("/")
    url = "%s/objects/%s/%s" % (base, urllib.parse.quote(bucket), urllib.parse.quote(key))
    request = urllib.request.Request(url)
    if os.environ.get("SLUICE_API_KEY"):
        request.add_header("Authorization", "Bearer " + os.environ["SLUICE_API_KEY"])
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.read().decode("utf-8-sig")
    except urllib.error.HTTPError as e:
        if e.code == 404:
            raise InputPermanentError("%s/%s is not in the object store (%s)" % (bucket, key, url))
        raise  # 5xx, 429, 403 …: retried


def readings(text, key):
    rows = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            reading = {m: convert(row[m]) for m, convert in NUMBERS.items()}
        except (KeyError, TypeError, ValueError) as e:
            raise InputPermanentError("%s line %d: not a validated reading (%s)" % (key, line, e))
        reading["patient_id"] = row["patient_id"]
        reading["timestamp"] = row["timestamp"]
        rows.append(reading)
    return rows


def handler(event, context):
    detail = event.get("detail") or {}
    bucket = (detail.get("bucket") or {}).get("name")
    key = detail.get("processedKey")
    if not bucket or not key:
        raise InputPermanentError(
            "expected a Validation Succeeded or Failed event with detail.bucket.name and"
            " detail.processedKey, got detail keys %s" % sorted(detail))
    rows = readings(fetch(bucket, key), key)
    events = []
    abnormal = []
    per_metric = {m: 0 for m in NUMBERS}
    for r in rows:
        found = findings(r)
        if not found:
            continue
        for f in found:
            per_metric[f["metric"]] += 1
        severity = found[0]["severity"]
        abnormal.append({
            "patient_id": r["patient_id"], "timestamp": r["timestamp"], "severity": severity,
            "findings": ["%s (%s %s)" % (f["finding"], f["metric"], f["value"]) for f in found]})
        events.append({
            "source": SOURCE, "detail-type": "Reading Abnormal",
            "detail": {
                "patient_id": r["patient_id"], "timestamp": r["timestamp"],
                "severity": severity, "findings": found,
                "reading": {m: r[m] for m in NUMBERS},
                "file": {"bucket": bucket, "key": key}}})
    averages = {m: round(sum(r[m] for r in rows) / len(rows), 1) if rows else None
                for m in NUMBERS}
    print("%s/%s: %d readings, %d abnormal" % (bucket, key, len(rows), len(abnormal)))
    events.append({
        "source": SOURCE, "detail-type": "Analysis Completed",
        "detail": {
            "bucket": bucket, "key": key,
            "sourceKey": (detail.get("object") or {}).get("key"),
            "sha256": (detail.get("object") or {}).get("sha256"),
            "readings": len(rows),
            "patients": len({r["patient_id"] for r in rows}),
            "abnormal": len(abnormal),
            "critical": sum(1 for a in abnormal if a["severity"] == "critical"),
            "rowsRejected": detail.get("rowsRejected", 0),
            "findingsPerMetric": per_metric,
            "averages": averages,
            "abnormalReadings": abnormal}})
    return events

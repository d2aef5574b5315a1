#!/usr/bin/env python3
"""Independent recount of a PatchPulse --events-out file, compared with what the store holds.

Written in another language than the pipeline on purpose: it shares no code with it, so a bug in the pipeline's
bucketing or counting cannot hide by being repeated in the check. Rules: ARCHITECTURE.md, "Cohorts and buckets"
and "Trend definitions" (hourly windows, distinct devices per window and cohort, replays of a device's event id counted once).

Usage:
  ./patchpulse demo --devices 2000 --seed 7 --exit-when-done --data-dir D --events-out E
  ./patchpulse query --data-dir D "SELECT ts, kb, size_bucket, free_bucket, bitlocker, attempts, failures,
      devices_attempted, devices_failed, devices_succeeded FROM failure_trends" > trends.csv
  ./patchpulse query --data-dir D "SELECT ts, kb, error_code, size_bucket, free_bucket, bitlocker, devices_failed
      FROM failure_errors" > errors.csv
  python3 deploy/tools/recount.py E --trends trends.csv --errors errors.csv
Exit status 0 when every row matches, 1 otherwise.
"""
import argparse
import csv
import json
import sys
from collections import defaultdict
from datetime import datetime, timezone

HOUR_MS = 3_600_000
MIB = 1_048_576


def size_bucket(inv):
    size = ((inv or {}).get("recovery") or {}).get("partitionSizeBytes")
    if size is None:
        return "unknown"
    if size < 500 * MIB:
        return "<500MB"
    if size < 750 * MIB:
        return "500-750MB"
    return "750MB-1GB" if size < 1024 * MIB else ">=1GB"


def free_bucket(inv):
    free = ((inv or {}).get("recovery") or {}).get("freeBytes")
    if free is None:
        return "unknown"
    return "<250MB" if free < 250 * MIB else ">=250MB"


def bitlocker(inv):
    b = (inv or {}).get("bitlocker")
    if not b:
        return "unknown"
    volume, protection, protector = b["volumeStatus"], b["protection"], b["protectorClass"]
    if volume.endswith("_IN_PROGRESS") or volume.endswith("_PAUSED"):
        return "converting"
    if protection == "ON":
        return "on-preboot" if protector in ("TPM_PREBOOT", "PASSWORD") else "on-tpm"
    if protection == "OFF" and volume == "FULLY_ENCRYPTED":
        return "suspended"
    return "off" if volume == "FULLY_DECRYPTED" else "unknown"


def recount(path):
    trends = defaultdict(lambda: {"attempts": 0, "failures": 0, "attempted": set(), "failed": set(),
                                  "succeeded": set()})
    errors = defaultdict(set)
    seen = set()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not record["topic"].endswith("install-events"):
                continue
            event = record["value"]
            replay_key = (event["deviceId"], event["eventId"])  # event ids are unique per device
            if event["outcome"] not in ("FAILED", "SUCCEEDED") or replay_key in seen:
                continue
            seen.add(replay_key)
            hour = event["occurredAt"] - event["occurredAt"] % HOUR_MS
            inv = event.get("inventory")
            cohort = (event.get("kb") or "unknown", size_bucket(inv), free_bucket(inv), bitlocker(inv))
            t = trends[(hour,) + cohort]
            device = event["deviceId"]
            t["attempts"] += 1
            t["attempted"].add(device)
            if event["outcome"] == "FAILED":
                t["failures"] += 1
                t["failed"].add(device)
                code = event.get("errorCode")
                if code is None:
                    code = "raw:" + event["rawErrorCode"] if event.get("rawErrorCode") is not None else "unknown"
                errors[(hour, cohort[0], code) + cohort[1:]].add(device)
            else:
                t["succeeded"].add(device)
    rows = {k: (v["attempts"], v["failures"], len(v["attempted"]), len(v["failed"]), len(v["succeeded"]))
            for k, v in trends.items()}
    return rows, {k: len(v) for k, v in errors.items()}


def millis(ts):
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp() * 1000)


def read_store(path, key_columns, value_columns):
    with open(path, encoding="utf-8") as f:
        out = {}
        for row in csv.DictReader(f):
            key = (millis(row["ts"]),) + tuple(row[c] for c in key_columns)
            out[key] = tuple(int(row[c]) for c in value_columns)
        return out


def compare(name, expected, stored):
    ok = True
    for key in sorted(set(expected) | set(stored), key=str):
        if expected.get(key) != stored.get(key):
            ok = False
            print(f"{name} {key}: recount {expected.get(key)} store {stored.get(key)}")
    print(f"{name}: {len(expected)} rows recounted, {len(stored)} in the store: {'MATCH' if ok else 'DIFFERENT'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("events", help="the --events-out file")
    parser.add_argument("--trends", required=True, help="CSV of failure_trends (see usage)")
    parser.add_argument("--errors", required=True, help="CSV of failure_errors (see usage)")
    args = parser.parse_args()
    rows, error_rows = recount(args.events)
    ok = compare("failure_trends", rows, read_store(args.trends, ["kb", "size_bucket", "free_bucket", "bitlocker"],
                 ["attempts", "failures", "devices_attempted", "devices_failed", "devices_succeeded"]))
    ok &= compare("failure_errors", {(k[0], k[1], k[2], k[3], k[4], k[5]): (v,) for k, v in error_rows.items()},
                  read_store(args.errors, ["kb", "error_code", "size_bucket", "free_bucket", "bitlocker"],
                             ["devices_failed"]))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

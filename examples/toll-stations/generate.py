#!/usr/bin/env python3
"""Writes VehiclePassed events for the toll-stations example as NDJSON, one event a line.

Each station passes its expected vehicles per minute (stations.csv), give or take one; the
--surge station passes three times as many in the --surge-minute (the one alert). Events come in the order they would arrive: a
gantry sends each passage up to --jitter seconds after it happened (less than the analysis's
maxOutOfOrder of 10 s, so they are on time), and --late passages arrive 40 to 100 s after their
minute ended (it has closed by then; within the allowedLateness of 2 minutes, they revise it). Each event's partitionkey is its
station, so a station's passages keep their order on one partition of the bus.

    python3 generate.py --start 2026-12-01T10:00:00Z --minutes 5 > passages.ndjson
    ./sluice send --bus tolls --file passages.ndjson

The same --seed gives the same file. Python 3.8+, standard library only.
"""

import argparse
import csv
import datetime
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["car"] * 8 + ["van", "truck"]


def parse_time(s):
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError("expected a time with an offset, such as 2026-12-01T10:00:00Z")
    return t.astimezone(datetime.timezone.utc)


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def stations(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["station"], int(r["expected_per_minute"])) for r in csv.DictReader(f)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--start", type=parse_time, default=parse_time("2026-12-01T10:00:00Z"),
                   help="the first minute (default 2026-12-01T10:00:00Z)")
    p.add_argument("--minutes", type=int, default=5, help="how many minutes (default 5)")
    p.add_argument("--stations", default=os.path.join(HERE, "stations.csv"),
                   help="the reference CSV (default: stations.csv beside this script)")
    p.add_argument("--surge", default="TS-02", help="the station with a busy minute (default TS-02)")
    p.add_argument("--surge-minute", type=int, default=2,
                   help="which minute, counted from 0 (default 2; -1 for none)")
    p.add_argument("--jitter", type=float, default=8.0,
                   help="most seconds a passage is sent after it happened (default 8)")
    p.add_argument("--late", type=int, default=1, help="passages that arrive after their minute closed (default 1)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    if a.minutes < 1:
        p.error("--minutes: expected at least 1, got %d" % a.minutes)
    if not 0 <= a.jitter < 10:
        p.error("--jitter: expected 0 to under 10 seconds (the maxOutOfOrder), got %g" % a.jitter)
    rnd = random.Random(a.seed)
    start = a.start.replace(second=0, microsecond=0)

    passages = []  # (arrival, passed, station)
    for m in range(a.minutes):
        minute = start + datetime.timedelta(minutes=m)
        for station, expected in stations(a.stations):
            n = max(0, expected + rnd.choice([-1, 0, 0, 1]))  # never above 1.5 x
            if station == a.surge and m == a.surge_minute:
                n = expected * 3
            for _ in range(n):
                passed = minute + datetime.timedelta(milliseconds=rnd.randrange(60_000))
                arrival = passed + datetime.timedelta(seconds=rnd.uniform(0, a.jitter))
                passages.append((arrival, passed, station))
    passages.sort()
    # late ones: passages held back until 40 to 100 s after their minute ended (it has closed by
    # then, and is still within the allowedLateness of 2 minutes)
    for _ in range(min(a.late, len(passages))):
        i = rnd.randrange(len(passages) // 2 + 1)
        _, passed, station = passages.pop(i)
        end = passed.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        passages.append((end + datetime.timedelta(seconds=rnd.uniform(40, 100)), passed, station))
    passages.sort()

    out = sys.stdout
    for n, (_, passed, station) in enumerate(passages):
        event = {
            "source": "tolls.gantry",
            "detail-type": "VehiclePassed",
            "partitionkey": station,
            "detail": {
                "station": station,
                "plate": "HH-%04d" % rnd.randrange(10_000),
                "vehicleClass": rnd.choice(CLASSES),
                "passedAt": fmt(passed),
            },
        }
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
    print("%d passages of %d stations, %s to %s" % (
        len(passages), len(stations(a.stations)), fmt(start),
        fmt(start + datetime.timedelta(minutes=a.minutes))), file=sys.stderr)


if __name__ == "__main__":
    main()

"""Dial-rule checks and dialplan decisions per second through the Python binding.

    PYTHONPATH=build/python python3 bench/microbench.py --seconds 0.5 --reps 3 --dialplan bench/dialplan.xml

Prints one JSON object like bench/microbench.c (same rule, number and dialplan)."""
import argparse
import json
import time

import skypeconnect as sc

NUMBER = "0044201234567"


def rate(fn, seconds, batch):
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        t = time.perf_counter()
        if t - t0 >= seconds:
            return n / (t - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dialplan")
    a = ap.parse_args()
    rule = sc.DialRule("00")
    assert rule.check(NUMBER) == NUMBER
    out = {"dialrule_checks_per_s": [rate(lambda: rule.check(NUMBER), a.seconds, 2000) for _ in range(a.reps)],
           "dialplan_routes_per_s": []}
    if a.dialplan:
        dp = sc.Dialplan()
        dp.load_file(a.dialplan, "public")
        fields = sc.CallFields(destination_number=NUMBER, caller_id_number="4930111222")
        assert len(dp.route("public", fields)) == 1
        out["dialplan_routes_per_s"] = [rate(lambda: dp.route("public", fields), a.seconds, 200)
                                        for _ in range(a.reps)]
    print(json.dumps({k: [round(x) for x in v] for k, v in out.items()}))


if __name__ == "__main__":
    main()

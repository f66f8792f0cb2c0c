#!/usr/bin/env python3
"""Expected ahr metrics and score, computed from SPEC.md's definitions alone.

Reads an account folder's CSVs back (it does not trust gen.py) and applies
the contract's definitions with exact arithmetic (fractions.Fraction).
Policy numbers are copied from policies/{performance,scoring}.toml.

    python3 expect.py tests/hand_checked/mid-size-seller 2026-11-20 [-v]
writes <folder>.expected.json and prints a summary (-v: contributing orders).
"""
import csv
import json
import math
import os
import sys
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction as F

# ---- policy parameters (performance.toml / scoring.toml defaults)
RULES = {
    # metric: (rule id, severity, window days, op, breach, warn, min_denominator)
    "order_defect_rate":           ("PERF-ODR", "high", 60, ">", F("0.01"), F("0.0075"), 100),
    "late_shipment_rate_10d":      ("PERF-LSR-10", "medium", 10, ">", F("0.04"), F("0.03"), 10),
    "late_shipment_rate_30d":      ("PERF-LSR-30", "medium", 30, ">", F("0.04"), F("0.03"), 10),
    "pre_fulfillment_cancel_rate": ("PERF-CR", "medium", 7, ">", F("0.025"), F("0.02"), 10),
    "valid_tracking_rate":         ("PERF-VTR", "medium", 30, "<", F("0.95"), F("0.96"), 10),
    "on_time_delivery_rate":       ("PERF-OTDR", "low", 14, "<", F("0.90"), F("0.92"), 10),
}
# _mfn / _afn have no rule of their own: they take PERF-ODR's parameters (NOTES.md)
RULES["order_defect_rate_mfn"] = (None,) + RULES["order_defect_rate"][1:]
RULES["order_defect_rate_afn"] = (None,) + RULES["order_defect_rate"][1:]
METRIC_ORDER = ["order_defect_rate", "order_defect_rate_mfn", "order_defect_rate_afn",
                "late_shipment_rate_10d", "late_shipment_rate_30d",
                "pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery_rate"]
SEVERITY_POINTS = {"critical": 250, "high": 100, "medium": 40, "low": 10}
START, VOL_POINTS, VOL_PER, VOL_DAYS, CRIT_CAP = 200, 4, 200, 180, 99


# ---- alternative readings (NOT the expectations; see NOTES.md), for --alternatives
ALT = set()


# ---- dates: "Windows compare calendar dates in UTC"
class T:
    """A parsed date or date-time: .date is the UTC calendar date, .inst the
    UTC instant (None for a date without time of day)."""
    def __init__(self, d, inst):
        self.date, self.inst = d, inst

    def __repr__(self):
        return str(self.inst or self.date)


def parse(s, us_slashes=False):
    s = s.strip()
    if not s:
        return None
    if us_slashes and "/" in s:                # US feedback report: m/d/yy
        m, d, y = (int(x) for x in s.split("/"))
        return T(date(2000 + y if y < 100 else y, m, d), None)
    if len(s) == 10:
        d = date.fromisoformat(s)
        if "date_is_midnight" in ALT:
            return T(d, datetime(d.year, d.month, d.day, tzinfo=timezone.utc))
        return T(d, None)
    dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError("naive date-time not used in these accounts: " + s)
    u = dt.astimezone(timezone.utc)
    if "local_dates" in ALT:
        return T(dt.date(), u)
    return T(u.date(), u)


def after(a, b):
    """a strictly after b: instants when both have a time of day, else UTC dates."""
    if a.inst is not None and b.inst is not None:
        return a.inst > b.inst
    return a.date > b.date


def on_or_before(a, b):
    return not after(a, b)


def window(D, n):
    return D - timedelta(days=n - 1), D


def inw(t, w):
    return t is not None and w[0] <= t.date <= w[1]


# ---- reading
def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ORDER_LEVEL = ["purchase_date", "status", "fulfillment", "ship_by", "shipped_at", "tracking_id",
               "tracking_valid", "promised_delivery", "delivered_at", "cancelled_by"]


def load_orders(folder):
    rows = read_csv(os.path.join(folder, "orders.csv"))
    orders = {}
    for r in rows:
        oid = r["order_id"]
        if oid in orders:
            for c in ORDER_LEVEL:          # my accounts repeat order fields on item rows
                assert orders[oid]["raw"][c] == r[c], (oid, c)
            continue
        orders[oid] = dict(
            id=oid, raw=r,
            purchase=parse(r["purchase_date"]),
            cancelled=r["status"].strip().lower() == "cancelled",
            ful=r["fulfillment"].strip().upper(),
            ship_by=parse(r["ship_by"]), shipped=parse(r["shipped_at"]),
            tracking_valid=r["tracking_valid"].strip().lower(),
            tracking_id=r["tracking_id"].strip(),
            promised=parse(r["promised_delivery"]), delivered=parse(r["delivered_at"]),
            cancelled_by=r["cancelled_by"].strip().lower())
    return rows, orders


def defective_orders(folder):
    """order id -> list of defect descriptions (any date of the defect itself)."""
    out = {}
    for r in read_csv(os.path.join(folder, "feedback.csv")):
        parse(r["date"], us_slashes=True)           # must be readable
        if int(r["rating"]) in (1, 2) and r.get("removed", "").strip().lower() != "true":
            out.setdefault(r["order_id"], []).append("feedback %s" % r["rating"])
    for r in read_csv(os.path.join(folder, "claims.csv")):
        if r["status"].strip().lower() not in ("denied", "withdrawn"):
            out.setdefault(r["order_id"], []).append("claim %s" % r["status"])
    for r in read_csv(os.path.join(folder, "chargebacks.csv")):
        if r["kind"].strip().lower() != "fraud" and r["status"].strip().lower() != "won":
            out.setdefault(r["order_id"], []).append("chargeback %s/%s" % (r["kind"], r["status"]))
    return out


# ---- metrics
def metrics(folder, D):
    rows, orders = load_orders(folder)
    defects = defective_orders(folder)
    live = [o for o in orders.values() if not o["cancelled"]
            and not ("no_pending" in ALT and o["raw"]["status"] == "Pending")]
    mfn_live = [o for o in live if o["ful"] == "MFN"]
    res = {}

    def put(mid, num_ids, den_ids, days):
        res[mid] = dict(num=sorted(num_ids), den=sorted(den_ids), window=window(D, days))

    # order defect rate: 60 days by purchase date, non-cancelled orders
    w = window(D, 60)
    for mid, sel in (("order_defect_rate", lambda o: True),
                     ("order_defect_rate_mfn", lambda o: o["ful"] == "MFN"),
                     ("order_defect_rate_afn", lambda o: o["ful"] == "AFN")):
        den = [o["id"] for o in live if sel(o) and inw(o["purchase"], w)]
        put(mid, [i for i in den if i in defects], den, 60)

    # late shipment: MFN non-cancelled orders with ship_by in the window
    for mid, days in (("late_shipment_rate_10d", 10), ("late_shipment_rate_30d", 30)):
        w = window(D, days)
        den, num = [], []
        for o in mfn_live:
            if not inw(o["ship_by"], w):
                continue
            if o["shipped"] is not None:
                late = (o["shipped"].date > o["ship_by"].date if "ship_dates_only" in ALT
                        else after(o["shipped"], o["ship_by"]))
            elif "due_today_late" in ALT:
                late = o["ship_by"].date <= D
            else:
                late = o["ship_by"].date < D        # still unshipped, ship_by before as-of
            if "lsr_only_due" in ALT and o["shipped"] is None and not late:
                continue
            den.append(o["id"])
            if late:
                num.append(o["id"])
        put(mid, num, den, days)

    # pre-fulfillment cancel rate: all MFN orders (cancelled included), 7 days by purchase
    w = window(D, 7)
    den = [o["id"] for o in orders.values() if o["ful"] == "MFN" and inw(o["purchase"], w)
           and not ("no_pending" in ALT and o["raw"]["status"] == "Pending")]
    num = [i for i in den if orders[i]["cancelled"]
           and orders[i]["cancelled_by"] in ("seller", "system", "")]
    put("pre_fulfillment_cancel_rate", num, den, 7)

    # valid tracking: MFN shipped orders, 30 days by shipped_at
    w = window(D, 30)
    den = [o["id"] for o in mfn_live if o["shipped"] is not None and inw(o["shipped"], w)]
    num = [i for i in den if orders[i]["tracking_valid"] == "true"]
    put("valid_tracking_rate", num, den, 30)

    # on-time delivery: tracked MFN orders, 14 days by promised_delivery
    w = window(D, 14)
    tracked = ((lambda o: o["tracking_id"] != "") if "tracked_by_id" in ALT
               else (lambda o: o["tracking_valid"] == "true"))
    den = [o["id"] for o in mfn_live if tracked(o) and inw(o["promised"], w)]
    if "otdr_delivered_only" in ALT:
        den = [i for i in den if orders[i]["delivered"] is not None]
    num = [i for i in den if orders[i]["delivered"] is not None
           and on_or_before(orders[i]["delivered"], orders[i]["promised"])]
    put("on_time_delivery_rate", num, den, 14)

    wv = window(D, VOL_DAYS)
    volume = [o["id"] for o in live if inw(o["purchase"], wv)]
    return rows, orders, defects, res, volume


def judge(mid, num, den):
    rule, sev, days, op, breach, warn, mind = RULES[mid]
    value = F(num, den) if den else None
    if op == ">":
        # bad orders allowed before breach: largest k with k/den <= breach
        headroom = math.floor(breach * den) - num
        target = {"op": "<=", "value": float(breach)}
    else:
        # good orders needed: smallest g with g/den >= breach; headroom = num - g
        headroom = num - math.ceil(breach * den)
        target = {"op": ">=", "value": float(breach)}
    if den < mind:
        status = "insufficient_data"
    elif op == ">":
        status = "breach" if value > breach else ("warning" if value > warn else "ok")
    else:
        status = "breach" if value < breach else ("warning" if value < warn else "ok")
    return dict(numerator=num, denominator=den,
                value=None if value is None else round(float(value), 6),
                value_exact=None if value is None else "%d/%d" % (num, den),
                target=target, warning_at=float(warn), min_denominator=mind,
                status=status, headroom=headroom)


def main():
    folder, D = sys.argv[1], date.fromisoformat(sys.argv[2])
    verbose = "-v" in sys.argv
    for a in sys.argv[3:]:
        if a.startswith("--alt="):
            ALT.update(a[6:].split(","))
    write = not ALT
    rows, orders, defects, res, volume = metrics(folder, D)
    out = {"account": os.path.basename(folder), "as_of": D.isoformat(), "metrics": {}}
    for mid in METRIC_ORDER:
        r = res[mid]
        m = judge(mid, len(r["num"]), len(r["den"]))
        m["window"] = {"from": r["window"][0].isoformat(), "to": r["window"][1].isoformat(),
                       "days": (r["window"][1] - r["window"][0]).days + 1}
        m["rule"] = RULES[mid][0]
        # the orders that make the metric worse: defective / late / cancelled
        # ones, or (for the "below" metrics) shipped without valid tracking /
        # not delivered on time -- what a report's evidence should name
        if RULES[mid][3] == ">":
            m["bad_orders"] = r["num"]
        else:
            m["bad_orders"] = sorted(set(r["den"]) - set(r["num"]))
        out["metrics"][mid] = m
    # score: only PERF-* rules; a metric beyond target is one event (occurrences 1)
    n_vol = len(volume)
    vol_pts = VOL_POINTS * (n_vol // VOL_PER)
    breakdown = [{"label": "start", "points": START},
                 {"label": "volume: %d orders in %d days" % (n_vol, VOL_DAYS), "points": vol_pts}]
    total = START + vol_pts
    crit = False
    for mid in METRIC_ORDER:
        rule, sev = RULES[mid][0], RULES[mid][1]
        if rule and out["metrics"][mid]["status"] == "breach":
            occ = 1
            if "occurrences_orders" in ALT:
                m = out["metrics"][mid]
                occ = m["numerator"] if RULES[mid][3] == ">" else m["denominator"] - m["numerator"]
            pts = -round(SEVERITY_POINTS[sev] * min(F(3), 1 + F(1, 2) * (occ - 1)))
            breakdown.append({"rule": rule, "severity": sev, "occurrences": occ, "points": pts})
            total += pts
            crit |= sev == "critical"
    if crit:
        total = min(total, CRIT_CAP)
    total = max(0, min(1000, total))
    band = "healthy" if total >= 200 else ("at_risk" if total >= 100 else "critical")
    out["score"] = {"value": total, "band": band, "breakdown": breakdown,
                    "volume_orders_180d": n_vol}
    out["rule_status"] = {RULES[mid][0]: out["metrics"][mid]["status"]
                          for mid in METRIC_ORDER if RULES[mid][0]}
    out["assumptions"] = "see README.md; run ahr with --as-of %s (also the default: " \
        "latest purchase date in UTC)" % D.isoformat()
    out["counts"] = {"order_rows": len(rows), "distinct_orders": len(orders),
                     "cancelled_orders": sum(o["cancelled"] for o in orders.values())}
    if write:
        with open(folder.rstrip("/") + ".expected.json", "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")
    else:
        print("ALTERNATIVE READING (not written):", sorted(ALT))
    print("%s as-of %s  rows %d  orders %d  volume(180d) %d" % (
        folder, D, len(rows), len(orders), n_vol))
    for mid in METRIC_ORDER:
        m = out["metrics"][mid]
        print("  %-28s %4d / %-4d %-10s %-17s headroom %d" % (
            mid, m["numerator"], m["denominator"], m["value_exact"], m["status"], m["headroom"]))
    print("  score", total, band, [b["points"] for b in breakdown])
    if verbose:
        tags = {}
        tf = folder + ".tags.tsv"
        if os.path.exists(tf):
            for line in open(tf):
                i, t = line.rstrip("\n").split("\t", 1)
                tags[i] = t
        for mid in METRIC_ORDER:
            r = res[mid]
            print("\n== %s  num:" % mid)
            for i in r["num"]:
                print("   ", i, tags.get(i, ""), defects.get(i, "") if "defect" in mid else "")
            print("   tagged in denominator but not numerator:")
            for i in r["den"]:
                if i not in r["num"] and i in tags:
                    print("     ", i, tags[i])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Write the two hand-designed seller accounts, mid-size-seller/ and new-seller/.

Deterministic (fixed seed).  Every edge order is written explicitly and
tagged in a comment below; background orders are regular and on time.
The expected numbers are NOT computed here: expect.py reads the CSVs back
and applies SPEC's definitions.
"""
import csv
import os
import random
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.abspath(__file__))
COLS = ["order_id", "purchase_date", "status", "fulfillment", "ship_by", "shipped_at",
        "carrier", "tracking_id", "tracking_valid", "promised_delivery", "delivered_at",
        "cancelled_by", "buyer_id", "ship_postal_code", "ship_city", "ship_country",
        "sku", "asin", "quantity", "item_price", "currency"]

CATALOG = [("NW-LAMP-01", "B0C1LAMP01", "24.99"), ("NW-MUG-12", "B0C2MUG012", "12.49"),
           ("NW-BOTTLE-7", "B0C3BOTL07", "18.00"), ("NW-CABLE-3", "B0C4CABL03", "9.99"),
           ("NW-TOWEL-2", "B0C5TOWL02", "21.50"), ("NW-PAN-28", "B0C6PAN028", "39.95"),
           ("NW-SOCK-5P", "B0C7SOCK5P", "14.99"), ("NW-BAG-L", "B0C8BAGLRG", "29.00")]
CITIES = ["Portland", "Seattle", "Austin", "Denver", "Boise", "Reno", "Tucson", "Omaha",
          "Madison", "Raleigh", "Tampa", "Dayton", "Fresno", "Mesa", "Tulsa", "Albany",
          "Eugene", "Spokane", "Plano", "Irvine"]
CARRIERS = [("UPS", "1Z"), ("USPS", "9400"), ("FedEx", "77")]


class Acct:
    def __init__(self, seed, prefix):
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.orders = []          # list of dicts (order-level) with "items"
        self.used_ids = set()
        self.used_zip = set()
        self.n = 0

    def new_id(self):
        while True:
            i = "%s-%07d-%07d" % (self.prefix, self.rng.randrange(10**6, 10**7),
                                  self.rng.randrange(10**6, 10**7))
            if i not in self.used_ids:
                self.used_ids.add(i)
                return i

    def zip5(self):
        while True:
            z = "%05d" % self.rng.randrange(10000, 99999)
            if z not in self.used_zip:
                self.used_zip.add(z)
                return z

    def tracking(self):
        c, p = self.rng.choice(CARRIERS)
        return c, p + "".join(str(self.rng.randrange(10)) for _ in range(16))

    def add(self, purchase, status, ful, ship_by="", shipped_at="", tracking="valid",
            promised="", delivered="", cancelled_by="", items=1, tag=""):
        """tracking: 'valid' | 'false' | 'missing' | 'none' (not shipped) |
        'afn-empty' (AFN id, tracking_valid empty)"""
        self.n += 1
        carrier = tid = tv = ""
        if tracking == "valid":
            carrier, tid = self.tracking(); tv = "true"
        elif tracking == "false":
            carrier, tid = self.tracking(); tid = tid[:-3] + "O0O"; tv = "false"
        elif tracking == "missing":
            pass
        elif tracking == "afn-empty":
            carrier, tid = "AMZL_US", "TBA%012d" % self.rng.randrange(10**11, 10**12)
        elif tracking == "afn-false":
            carrier, tid = "AMZL_US", "TBA%012d" % self.rng.randrange(10**11, 10**12); tv = "false"
        nitems = items
        its = []
        for k in range(nitems):
            sku, asin, price = self.rng.choice(CATALOG)
            its.append((sku, asin, str(self.rng.choice([1, 1, 1, 2])), price))
        o = dict(order_id=self.new_id(), purchase_date=purchase, status=status, fulfillment=ful,
                 ship_by=ship_by, shipped_at=shipped_at, carrier=carrier, tracking_id=tid,
                 tracking_valid=tv, promised_delivery=promised, delivered_at=delivered,
                 cancelled_by=cancelled_by, buyer_id="A%013d" % self.rng.randrange(10**12, 10**13),
                 ship_postal_code=self.zip5(), ship_city=self.rng.choice(CITIES),
                 ship_country="US", items=its, tag=tag)
        self.orders.append(o)
        return o["order_id"]

    def write(self, folder, shuffle=True):
        os.makedirs(folder, exist_ok=True)
        rows = []
        orders = list(self.orders)
        # file sorted by purchase text order roughly, but item rows stay together
        orders.sort(key=lambda o: (o["purchase_date"][:10], o["order_id"]))
        with open(os.path.join(folder, "orders.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COLS)
            for o in orders:
                for sku, asin, q, p in o["items"]:
                    w.writerow([o[c] for c in COLS[:16]] + [sku, asin, q, p, "USD"])


def day(s):
    return date.fromisoformat(s)


def z(dt_date, hh=12, mm=0, ss=0):
    return "%sT%02d:%02d:%02dZ" % (dt_date.isoformat(), hh, mm, ss)


D = date(2026, 11, 20)


def background_mfn(a, P, hh, late_delivery=0, tracking="valid", items=1, tag="bg-mfn"):
    """Regular MFN order bought on UTC day P: ship_by P+2 end of day UTC, shipped P+1,
    promised P+5, delivered P+4 (or P+5+late_delivery)."""
    ship_by = z(P + timedelta(days=2), 23, 59, 59)
    shipped = P + timedelta(days=1)
    promised = P + timedelta(days=5)
    deliv = P + timedelta(days=4) if not late_delivery else promised + timedelta(days=late_delivery)
    if shipped > D:
        return a.add(z(P, hh, 7 + P.day), "Unshipped", "MFN", ship_by=ship_by, tracking="none",
                     promised=promised.isoformat(), items=items, tag=tag + "-unshipped-future")
    if tracking == "missing":
        deliv_s = ""
    else:
        deliv_s = z(deliv, 18, 5) if deliv <= D else ""
    status = "Delivered" if deliv_s else "Shipped"
    return a.add(z(P, hh, 7 + P.day), status, "MFN", ship_by=ship_by,
                 shipped_at=z(shipped, 16, 20 + P.day % 30), tracking=tracking,
                 promised=promised.isoformat(), delivered=deliv_s, items=items, tag=tag)


def background_afn(a, P, hh, messy=0, items=1, tag="bg-afn"):
    """AFN order: Amazon ships.  Some are deliberately 'bad' by MFN measures
    (shipped after ship_by, tracking_valid false/empty, delivered late) so
    that an implementation that forgets to exclude AFN is caught."""
    ship_by = z(P + timedelta(days=1), 23, 59, 59)
    shipped = P + timedelta(days=2 if messy else 1)
    promised = P + timedelta(days=3)
    deliv = P + timedelta(days=5 if messy else 3)
    if shipped > D:
        return a.add(z(P, hh, 3), "Unshipped", "AFN", ship_by=ship_by,
                     tracking="none", promised=promised.isoformat(), items=items, tag=tag)
    deliv_s = z(deliv, 15) if deliv <= D else ""
    return a.add(z(P, hh, 3), "Delivered" if deliv_s else "Shipped", "AFN", ship_by=ship_by,
                 shipped_at=z(shipped, 20 if messy else 9), tracking="afn-false" if messy else "afn-empty",
                 promised=promised.isoformat(), delivered=deliv_s, items=items, tag=tag)


# --------------------------------------------------------------------------- acct1
def acct1():
    a = Acct(1120, "113")
    rng = a.rng
    fb, cl, cb = [], [], []   # feedback, claims, chargebacks rows

    # ---- volume window edges (180 d: 2026-05-25 .. 2026-11-20)
    a.add("2026-05-24T15:00:00Z", "Delivered", "MFN", ship_by="2026-05-26T23:59:59Z",
          shipped_at="2026-05-25T16:00:00Z", promised="2026-05-29",
          delivered="2026-05-28T18:00:00Z", tag="vol-out-D-180")
    a.add("2026-05-25T03:00:00+08:00", "Delivered", "AFN", ship_by="2026-05-26T23:59:59Z",
          shipped_at="2026-05-25T09:00:00Z", tracking="afn-empty", promised="2026-05-27",
          delivered="2026-05-27T15:00:00Z", tag="vol-out-offset (UTC 05-24)")
    a.add("2026-05-25T10:00:00Z", "Delivered", "AFN", ship_by="2026-05-26T23:59:59Z",
          shipped_at="2026-05-26T09:00:00Z", tracking="afn-empty", promised="2026-05-28",
          delivered="2026-05-28T15:00:00Z", tag="vol-first-day")
    # old orders, 2026-05-26 .. 2026-09-20 (volume only)
    span = (day("2026-09-19") - day("2026-05-27")).days
    for k in range(N_OLD):
        P = day("2026-05-27") + timedelta(days=span * k // max(1, N_OLD - 1))
        if k % 4 == 3:
            background_afn(a, P, 11)
        else:
            background_mfn(a, P, 14, items=2 if k % 5 == 0 else 1)
    # a cancelled old order (not volume)
    a.add("2026-07-04T12:00:00Z", "Cancelled", "MFN", ship_by="2026-07-06T23:59:59Z",
          tracking="none", cancelled_by="buyer", tag="old-cancelled")

    # ---- ODR window edges (60 d: 2026-09-22 .. 2026-11-20, by purchase date in UTC)
    o = a.add("2026-09-21T12:00:00Z", "Delivered", "MFN", ship_by="2026-09-23T23:59:59Z",
              shipped_at="2026-09-22T16:00:00Z", promised="2026-09-26",
              delivered="2026-09-25T18:00:00Z", tag="odr-out-day-before; claim granted (not counted)")
    cl.append([o, "2026-10-05T10:00:00Z", "granted", "Item not received"])
    o = a.add("2026-09-22T01:30:00+05:30", "Delivered", "MFN", ship_by="2026-09-23T23:59:59Z",
              shipped_at="2026-09-22T16:00:00Z", promised="2026-09-26",
              delivered="2026-09-25T18:00:00Z",
              tag="odr-out-offset (local 09-22, UTC 09-21); no defect, not in ODR")
    o = a.add("2026-09-21T23:30:00-07:00", "Delivered", "AFN", ship_by="2026-09-23T23:59:59Z",
              shipped_at="2026-09-23T09:00:00Z", tracking="afn-empty", promised="2026-09-25",
              delivered="2026-09-25T15:00:00Z", items=2,
              tag="odr-in-offset first day (local 09-21, UTC 09-22); claim open = DEFECT D3 (AFN)")
    cl.append([o, "2026-10-10T10:00:00Z", "open", "Item not as described"])

    # 2026-09-22 .. 2026-10-19: about one order a day
    P = day("2026-09-22")
    k = 0
    while P <= day("2026-10-19"):
        if k % 4 == 2:
            background_afn(a, P, 10, messy=(k % 8 == 2))
        else:
            background_mfn(a, P, 13, items=2 if k % 6 == 0 else 1)
        k += 1
        P += timedelta(days=MID_STEP)

    # 2026-10-20 .. 2026-11-20: the busy month before peak
    P = day("2026-10-20")
    k = 0
    while P <= D:
        n = MFN_PER_DAY(P)
        for j in range(n):
            late = 0
            trk = "valid"
            # invalid tracking on a few early-window orders (promised before 11-07)
            if P in INVALID_DAYS and j == 0:
                trk = "false"
            # late deliveries inside the OTDR window (promised 11-07..11-20)
            if (P, j) in LATE_DELIV:
                late = LATE_DELIV[(P, j)]
            background_mfn(a, P, 8 + (3 * j) % 14, late_delivery=late, tracking=trk,
                           items=2 if (k + j) % 7 == 0 else (3 if (k + j) % 23 == 0 else 1))
        if P.toordinal() % 3 == 0:
            background_afn(a, P, 21, messy=(P.toordinal() % 2 == 0))
        k += 1
        P += timedelta(days=1)

    # ---- late shipment edges
    a.add("2026-11-08T10:00:00Z", "Delivered", "MFN", ship_by="2026-11-10T21:00:00-08:00",
          shipped_at="2026-11-11T09:00:00-08:00", promised="2026-11-15",
          delivered="2026-11-14T20:00:00Z", items=2,
          tag="LSR a: ship_by local 11-10 = UTC 11-11 (first day of 10d), shipped late")
    a.add("2026-11-08T11:00:00Z", "Delivered", "MFN", ship_by="2026-11-11T06:00:00+09:00",
          shipped_at="2026-11-10T18:00:00Z", promised="2026-11-15",
          delivered="2026-11-14T20:00:00Z",
          tag="LSR b: ship_by local 11-11 = UTC 11-10 (day before 10d), shipped on time -> 30d denominator only")
    a.add("2026-10-28T09:00:00Z", "Delivered", "MFN", ship_by="2026-10-30T23:59:59Z",
          shipped_at="2026-10-31T10:00:00Z", promised="2026-11-04",
          delivered="2026-11-03T18:00:00Z",
          tag="LSR i: plain late shipment, ship_by 10-30 -> 30d only")
    a.add("2026-10-19T09:00:00Z", "Delivered", "MFN", ship_by="2026-10-21T20:00:00-07:00",
          shipped_at="2026-10-22T15:00:00Z", promised="2026-10-26",
          delivered="2026-10-25T18:00:00Z",
          tag="LSR c: ship_by local 10-21 = UTC 10-22 (first day of 30d), shipped late")
    a.add("2026-10-18T09:00:00Z", "Delivered", "MFN", ship_by="2026-10-21T10:00:00Z",
          shipped_at="2026-10-22T12:00:00Z", promised="2026-10-26",
          delivered="2026-10-25T18:00:00Z",
          tag="LSR d: ship_by UTC 10-21 (day before 30d), shipped late -> not counted; shipped 10-22 (VTR first day, valid)")
    a.add("2026-11-15T09:30:00Z", "Unshipped", "MFN", ship_by="2026-11-17T23:59:59Z",
          tracking="none", promised="2026-11-21",
          tag="LSR e: unshipped, ship_by 11-17 before as-of -> late")
    a.add("2026-11-18T09:30:00Z", "Unshipped", "MFN", ship_by="2026-11-20",
          tracking="none", promised="2026-11-24",
          tag="LSR f: unshipped, ship_by = as-of date (not before as-of) -> not late, in denominators")
    a.add("2026-11-12T10:00:00Z", "Delivered", "MFN", ship_by="2026-11-14T23:59:00-08:00",
          shipped_at="2026-11-15T07:30:00Z", promised="2026-11-18",
          delivered="2026-11-17T18:00:00Z",
          tag="LSR g: shipped 29 min before ship_by instant (local dates differ) -> on time")
    a.add("2026-11-14T10:00:00Z", "Delivered", "MFN", ship_by="2026-11-16T23:59:00-08:00",
          shipped_at="2026-11-17T08:00:00Z", promised="2026-11-20",
          delivered="2026-11-19T18:00:00Z",
          tag="LSR h: shipped 1 minute after ship_by -> late")
    a.add("2026-11-18T08:00:00Z", "Shipped", "MFN", ship_by="2026-11-20T08:00:00Z",
          shipped_at="2026-11-20T15:00:00Z", promised="2026-11-24",
          tag="LSR last day: ship_by 11-20, shipped 7 h late; VTR last day (valid)")
    a.add("2026-11-10T12:00:00Z", "Cancelled", "MFN", ship_by="2026-11-12T23:59:59Z",
          tracking="none", cancelled_by="seller",
          tag="cancelled by seller, ship_by passed unshipped -> excluded from LSR; purchase 11-10 outside CR")

    # ---- valid tracking edges (30 d by shipped_at: 10-22 .. 11-20)
    a.add("2026-10-20T14:00:00Z", "Delivered", "MFN", ship_by="2026-10-22T23:59:59Z",
          shipped_at="2026-10-21T22:00:00-07:00", tracking="false", promised="2026-10-26",
          delivered="2026-10-26T17:00:00Z",
          tag="VTR v1: shipped local 10-21 = UTC 10-22 (first day), tracking_valid false -> invalid, counted")
    a.add("2026-10-19T14:00:00Z", "Delivered", "MFN", ship_by="2026-10-21T23:59:59Z",
          shipped_at="2026-10-22T02:00:00+04:00", tracking="valid", promised="2026-10-25",
          delivered="2026-10-24T17:00:00Z",
          tag="VTR v2: shipped local 10-22 = UTC 10-21 (day before), valid -> not in VTR")
    a.add("2026-11-05T14:00:00Z", "Shipped", "MFN", ship_by="2026-11-07T23:59:59Z",
          shipped_at="2026-11-06T16:00:00Z", tracking="missing", promised="2026-11-10",
          tag="VTR v3: shipped, no tracking id and no tracking_valid -> invalid; untracked so not in OTDR")

    # ---- on-time delivery edges (14 d by promised_delivery: 11-07 .. 11-20)
    a.add("2026-11-02T09:00:00Z", "Delivered", "MFN", ship_by="2026-11-04T23:59:59Z",
          shipped_at="2026-11-03T16:00:00Z", promised="2026-11-07",
          delivered="2026-11-07T19:00:00Z",
          tag="OTDR t1: promised 11-07 (first day), delivered that day 19:00Z -> on time")
    a.add("2026-11-01T09:00:00Z", "Delivered", "MFN", ship_by="2026-11-03T23:59:59Z",
          shipped_at="2026-11-02T16:00:00Z", promised="2026-11-06",
          delivered="2026-11-08T12:00:00Z",
          tag="OTDR t2: promised 11-06 (day before), late -> not counted")
    a.add("2026-11-01T10:00:00Z", "Delivered", "MFN", ship_by="2026-11-03T23:59:59Z",
          shipped_at="2026-11-02T16:00:00Z", promised="2026-11-06T21:00:00-08:00",
          delivered="2026-11-06T15:00:00-08:00",
          tag="OTDR t3: promised local 11-06 = UTC 11-07 (in), delivered before -> on time")
    a.add("2026-11-01T11:00:00Z", "Delivered", "MFN", ship_by="2026-11-03T23:59:59Z",
          shipped_at="2026-11-02T16:00:00Z", promised="2026-11-07T01:00:00+03:00",
          delivered="2026-11-09T12:00:00Z",
          tag="OTDR t4: promised local 11-07 = UTC 11-06 (out), late -> not counted")
    a.add("2026-11-14T12:00:00Z", "Delivered", "MFN", ship_by="2026-11-16T23:59:59Z",
          shipped_at="2026-11-15T16:00:00Z", promised="2026-11-20",
          delivered="2026-11-20T16:00:00Z",
          tag="OTDR t5: promised 11-20 (last day), delivered that day -> on time")
    a.add("2026-11-05T12:00:00Z", "Shipped", "MFN", ship_by="2026-11-07T23:59:59Z",
          shipped_at="2026-11-06T16:00:00Z", promised="2026-11-12",
          tag="OTDR t6: tracked, promised 11-12, never delivered -> not on time (reading)")
    a.add("2026-11-04T12:00:00Z", "Delivered", "MFN", ship_by="2026-11-06T23:59:59Z",
          shipped_at="2026-11-05T16:00:00Z", promised="2026-11-10",
          delivered="2026-11-11T10:00:00Z",
          tag="OTDR t7: delivered the day after promise -> late")

    # ---- pre-fulfillment cancel edges (7 d by purchase date: 11-14 .. 11-20)
    o_c1 = a.add("2026-11-16T13:00:00Z", "Cancelled", "MFN", ship_by="2026-11-18T23:59:59Z",
                 tracking="none", cancelled_by="seller", items=2, tag="CR c1: seller -> counted")
    o_c2 = a.add("2026-11-17T13:00:00Z", "Cancelled", "MFN", ship_by="2026-11-19T23:59:59Z",
                 tracking="none", cancelled_by="buyer", tag="CR c2: buyer -> denominator only; chargeback on it (not an ODR order)")
    a.add("2026-11-18T13:00:00Z", "Cancelled", "MFN", ship_by="2026-11-20T23:59:59Z",
          tracking="none", cancelled_by="system", tag="CR c3: system -> counted")
    a.add("2026-11-19T13:00:00Z", "Cancelled", "MFN", ship_by="2026-11-21T23:59:59Z",
          tracking="none", cancelled_by="", tag="CR c4: cancelled_by empty -> counted")
    a.add("2026-11-13T22:00:00-08:00", "Cancelled", "MFN", ship_by="2026-11-16T23:59:59Z",
          tracking="none", cancelled_by="seller",
          tag="CR c5: bought local 11-13 = UTC 11-14 (first day), seller -> counted")
    a.add("2026-11-14T03:00:00+09:00", "Cancelled", "MFN", ship_by="2026-11-15T23:59:59Z",
          tracking="none", cancelled_by="buyer",
          tag="CR c6: bought local 11-14 = UTC 11-13 (day before), buyer -> not in CR at all")
    a.add("2026-11-17T15:00:00Z", "Cancelled", "AFN", ship_by="2026-11-18T23:59:59Z",
          tracking="none", cancelled_by="seller", tag="CR c7: AFN cancelled -> excluded")
    a.add("2026-11-20T17:00:00Z", "Cancelled", "MFN", ship_by="2026-11-22T23:59:59Z",
          tracking="none", cancelled_by="system", tag="CR c8: last day, system -> counted")
    a.add("2026-11-20T16:00:00Z", "Pending", "MFN", tracking="none",
          tag="Pending MFN order on as-of day: ODR and CR denominators")

    # ---- ODR defects and non-defects inside the window
    def odr_order(P, ful, tag, items=1):
        if ful == "MFN":
            return background_mfn(a, day(P), 12, items=items, tag=tag)
        return background_afn(a, day(P), 12, items=items, tag=tag)

    o = odr_order("2026-10-15", "MFN", "D1: feedback 1 + claim granted (one defective order)", items=2)
    fb.append(["2026-10-24", "1", "Never arrived. Terrible.", o, "false"])
    cl.append([o, "2026-10-26T08:00:00Z", "granted", "Item not received"])
    o = odr_order("2026-10-28", "AFN", "D2: AFN, service chargeback open")
    cb.append([o, "2026-11-12T10:00:00Z", "service", "open"])
    o = odr_order("2026-11-10", "MFN", "D4: feedback 2 (US m/d/yy date)")
    fb.append(["11/14/26", "2", "Box was crushed", o, "false"])
    o = odr_order("2026-11-03", "MFN", "D5: claim refunded (+ an earlier denied claim)")
    cl.append([o, "2026-11-09T08:00:00Z", "denied", "Item not received"])
    cl.append([o, "2026-11-12T08:00:00Z", "refunded", "Item damaged"])
    o = odr_order("2026-10-20", "MFN", "N1: feedback 3 -> not a defect")
    fb.append(["2026-10-27", "3", "OK but slow", o, "false"])
    o = odr_order("2026-10-22", "MFN", "N2: feedback 1 removed -> not a defect")
    fb.append(["2026-10-29", "1", "Wrong colour", o, "true"])
    o = odr_order("2026-10-25", "MFN", "N3: claim denied")
    cl.append([o, "2026-11-02T08:00:00Z", "denied", "Item not received"])
    o = odr_order("2026-10-26", "MFN", "N4: claim withdrawn")
    cl.append([o, "2026-11-03T08:00:00Z", "withdrawn", "Item not received"])
    o = odr_order("2026-10-30", "MFN", "N5: fraud chargeback")
    cb.append([o, "2026-11-08T10:00:00Z", "fraud", "open"])
    o = odr_order("2026-11-01", "MFN", "N6: service chargeback won")
    cb.append([o, "2026-11-09T10:00:00Z", "service", "won"])
    cb.append([o_c2, "2026-11-19T10:00:00Z", "service", "open"])   # on a cancelled order
    fb.append(["2026-11-02", "1", "Who is this seller?", "113-9999999-0000001", "false"])  # unknown order

    return a, fb, cl, cb


# tuning knobs for acct1 (chosen so that the exact-boundary cases land)
N_OLD = 11
MID_STEP = 2
# busy-month MFN orders per purchase day: 4 or 5, with a few quieter days, a
# heavy promo day on 10-20 (ship_by 10-22 in the 30-day LSR window, shipped
# 10-21 before the VTR window) and one order on 11-19 (shipped 11-20, ship_by
# 11-21 after as-of): chosen so LSR-30 has 150 orders and VTR 140.
BUSY_OVERRIDE = {day(s): n for s, n in [
    ("2026-10-20", 9), ("2026-10-21", 3), ("2026-10-25", 3), ("2026-10-27", 3),
    ("2026-10-30", 3), ("2026-10-31", 3), ("2026-11-02", 3), ("2026-11-04", 4), ("2026-11-06", 3),
    ("2026-11-11", 3), ("2026-11-13", 4), ("2026-11-19", 1)]}


def MFN_PER_DAY(P):
    if P in BUSY_OVERRIDE:
        return BUSY_OVERRIDE[P]
    return 4 + (1 if P.toordinal() % 3 == 1 else 0)


INVALID_DAYS = {day("2026-10-23"), day("2026-10-24"), day("2026-10-26"), day("2026-10-28"),
                day("2026-10-29")}
LATE_DELIV = {(day("2026-11-03"), 1): 1, (day("2026-11-05"), 2): 2, (day("2026-11-07"), 0): 1,
              (day("2026-11-08"), 3): 1, (day("2026-11-09"), 1): 3, (day("2026-11-10"), 0): 1}


# --------------------------------------------------------------------------- acct2
def acct2():
    a = Acct(2002, "114")
    fb, cl = [], []

    def mfn(P, ship_by_days=2, ship_days=1, deliv_days=4, promised_days=5, status=None, tag="",
            tracking="valid"):
        P = day(P)
        sb = z(P + timedelta(days=ship_by_days), 23, 59, 59)
        sh = z(P + timedelta(days=ship_days), 15) if ship_days is not None else ""
        pr = (P + timedelta(days=promised_days)).isoformat()
        dv = ""
        if deliv_days is not None and ship_days is not None and P + timedelta(days=deliv_days) <= D:
            dv = z(P + timedelta(days=deliv_days), 17)
        st = status or ("Delivered" if dv else ("Shipped" if sh else "Unshipped"))
        return a.add(z(P, 10), st, "MFN", ship_by=sb, shipped_at=sh,
                     tracking=tracking if sh else "none", promised=pr, delivered=dv, tag=tag)

    # October start-up orders, all before every 30-day window
    e = [mfn("2026-10-01", tag="first order"), mfn("2026-10-03"), mfn("2026-10-06"),
         mfn("2026-10-09"), mfn("2026-10-12"), mfn("2026-10-14"), mfn("2026-10-17"),
         mfn("2026-10-19")]
    cl.append([e[2], "2026-10-20T09:00:00Z", "granted", "Item not received"])
    fb.append(["2026-10-18", "3", "fine", e[4], "false"])
    fb.append(["10/22/26", "1", "late", e[5], "true"])
    # ship_by in the 30-day window (10-22 .. 11-20)
    mfn("2026-10-20", ship_days=1, tag="o1 ship_by 10-22 first day, shipped 10-21 (before VTR window)")
    mfn("2026-10-24", ship_days=4, tag="o2 late")
    mfn("2026-10-27", ship_days=1, tag="o3")
    o4 = mfn("2026-10-30", ship_days=3, deliv_days=6, promised_days=7, tag="o4 late; feedback 2")
    fb.append(["2026-11-08", "2", "Shipped late", o4, "false"])
    mfn("2026-11-02", tag="o5 promised 11-07 (OTDR first day)")
    mfn("2026-11-05", deliv_days=7, tag="o6 delivered late")
    mfn("2026-11-09", tag="o7 ship_by 11-11 (10d first day)")
    mfn("2026-11-10", ship_days=None, tag="o8 unshipped past ship_by 11-12 -> late")
    mfn("2026-11-12", deliv_days=7, tag="o9 delivered late")
    mfn("2026-11-13", ship_days=None, tag="o10 unshipped past ship_by 11-15 -> late")
    mfn("2026-11-15", tag="o11 promised 11-20")
    mfn("2026-11-17", tag="o12")
    mfn("2026-11-18", tag="o13 ship_by 11-20 last day, shipped 11-19")
    mfn("2026-11-19", ship_days=None, tag="o14 ship_by 11-21 future, unshipped -> not in LSR")
    a.add("2026-11-16T10:00:00Z", "Cancelled", "MFN", ship_by="2026-11-18T23:59:59Z",
          tracking="none", cancelled_by="seller", tag="c1 seller cancel")
    a.add("2026-11-19T11:00:00Z", "Cancelled", "MFN", ship_by="2026-11-21T23:59:59Z",
          tracking="none", cancelled_by="buyer", tag="c2 buyer cancel")
    a.add("2026-11-20T12:00:00Z", "Pending", "MFN", tracking="none", tag="pending on as-of")
    return a, fb, cl


def write_rows(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    a, fb, cl, cb = acct1()
    f1 = os.path.join(ROOT, "mid-size-seller")
    a.write(f1)
    write_rows(os.path.join(f1, "feedback.csv"), ["date", "rating", "comments", "order_id", "removed"], fb)
    write_rows(os.path.join(f1, "claims.csv"), ["order_id", "filed_at", "status", "reason"], cl)
    write_rows(os.path.join(f1, "chargebacks.csv"), ["order_id", "filed_at", "kind", "status"], cb)
    with open(os.path.join(f1, "account.toml"), "w", encoding="utf-8") as f:
        f.write('id = "mid-size-seller"\nname = "Northwind Home Goods"\n'
                'marketplace = "US"\nseller_id = "A3INDEPCHK0001"\n'
                'emergency_contact = "+1 555 0100"\nbrands = ["Northwind"]\nrelated_accounts = []\n')
    with open(os.path.join(ROOT, "mid-size-seller.tags.tsv"), "w") as f:
        for o in a.orders:
            if o["tag"] and not o["tag"].startswith("bg-"):
                f.write("%s\t%s\n" % (o["order_id"], o["tag"]))

    a2, fb2, cl2 = acct2()
    f2 = os.path.join(ROOT, "new-seller")
    a2.write(f2)
    write_rows(os.path.join(f2, "feedback.csv"), ["date", "rating", "comments", "order_id", "removed"], fb2)
    write_rows(os.path.join(f2, "claims.csv"), ["order_id", "filed_at", "status", "reason"], cl2)
    with open(os.path.join(f2, "account.toml"), "w", encoding="utf-8") as f:
        f.write('id = "new-seller"\nname = "Brightleaf Start"\n'
                'marketplace = "US"\nseller_id = "A3INDEPCHK0002"\nbrands = []\n')
    with open(os.path.join(ROOT, "new-seller.tags.tsv"), "w") as f:
        for o in a2.orders:
            if o["tag"]:
                f.write("%s\t%s\n" % (o["order_id"], o["tag"]))


if __name__ == "__main__":
    main()

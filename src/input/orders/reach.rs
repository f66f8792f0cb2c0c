//! Which orders the windows still reach: whole, for the volume credit
//! only, or not at all.

use super::{ChunkOrders, Order, Reach, VolumeOrder};
use crate::input::blocks::Blocks;
use crate::input::strings::{Remap, Strings};
use chrono::{Datelike, Days, NaiveDate};
use std::sync::atomic::{AtomicI32, Ordering};

/// Where an order belongs, by its [`Order::latest_date`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tier {
    /// Within some rule's reach: the whole order is kept.
    Full,
    /// Past every rule's reach, inside the score's volume window.
    Volume,
    /// Before every window.
    Gone,
}

/// The days on or before which an order counts for nothing, or for the
/// volume credit only. Without `--as-of`, as-of is the latest purchase
/// date, never earlier than the latest one seen so far (see
/// [`LatestSeen`]), so cuts made from the rows read so far are safe: they
/// only move later.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Cuts {
    horizon: NaiveDate,
    detail: NaiveDate,
}

impl Cuts {
    pub(super) fn of(reach: Reach, latest_seen: Option<NaiveDate>) -> Option<Cuts> {
        let anchor = reach.as_of.or(latest_seen)?;
        let back = |days: u32| anchor.checked_sub_days(Days::new(u64::from(days)));
        Some(Cuts {
            horizon: back(reach.horizon_days)?,
            detail: back(reach.detail_days.min(reach.horizon_days))?,
        })
    }

    pub(super) fn tier(&self, latest: NaiveDate) -> Tier {
        if latest <= self.horizon {
            Tier::Gone
        } else if latest <= self.detail {
            Tier::Volume
        } else {
            Tier::Full
        }
    }

    /// Moves full orders past the rules' reach to `volume` and drops what
    /// no window reaches. Nothing is moved when nothing needs to be.
    pub(super) fn prune(&self, full: &mut Blocks<Order>, volume: &mut Blocks<VolumeOrder>) {
        let stays = full
            .iter()
            .all(|o| self.tier(o.latest_date()) == Tier::Full)
            && volume.iter().all(|v| v.latest > self.horizon);
        if stays {
            return;
        }
        let mut demoted = Vec::new();
        full.sift(|order| match self.tier(order.latest_date()) {
            Tier::Full => Some(order),
            Tier::Volume => {
                demoted.push(VolumeOrder::of(&order));
                None
            }
            Tier::Gone => None,
        });
        volume.sift(|order| (order.latest > self.horizon).then_some(order));
        demoted.into_iter().for_each(|order| volume.push(order));
    }
}

/// The latest purchase date any chunk has read so far. The chunks share
/// it so that each one's cuts follow the whole file's rows, not just its
/// own: the chunks of a file sorted oldest first are read from the last
/// one back (see `Table::for_each_row_split`), so the first chunks'
/// orders, long out of reach, are dropped as they are read instead of
/// kept until every chunk is done.
pub(super) struct LatestSeen(AtomicI32);

/// No date read yet.
const NONE_SEEN: i32 = i32::MIN;

impl Default for LatestSeen {
    fn default() -> Self {
        LatestSeen(AtomicI32::new(NONE_SEEN))
    }
}

impl LatestSeen {
    /// Called when a chunk reads a purchase date later than its own
    /// latest, which is rare: the shared line is mostly only read.
    pub(super) fn raise(&self, date: NaiveDate) {
        self.0.fetch_max(date.num_days_from_ce(), Ordering::Relaxed);
    }

    pub(super) fn latest(&self) -> Option<NaiveDate> {
        match self.0.load(Ordering::Relaxed) {
            NONE_SEEN => None,
            days => NaiveDate::from_num_days_from_ce_opt(days),
        }
    }
}

impl ChunkOrders {
    /// Sifts the chunk's orders by the cuts the rows read so far allow.
    pub(super) fn prune(&mut self, reach: Reach, latest_seen: Option<NaiveDate>) {
        if let Some(cuts) = self.cuts(reach, latest_seen) {
            self.orders.prune(&cuts);
            compact_strings(&mut self.orders.full, &mut self.strings);
        }
    }
}

/// Drops the strings no kept order uses any more. Addresses and ASINs
/// repeat, so there are far fewer strings than orders; only a file of
/// ever-new ones needs the dropped ones gone.
pub(super) fn compact_strings(orders: &mut Blocks<Order>, strings: &mut Strings) {
    if strings.len() > 2 * orders.len() + 1024 {
        let mut kept = Strings::default();
        let mut moved = Remap::default();
        for order in orders.iter_mut() {
            order.sale.remap(|sym| moved.get(sym, strings, &mut kept));
        }
        *strings = kept;
    }
}

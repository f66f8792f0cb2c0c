//! Which orders the windows still reach: whole, for the volume credit
//! only, or not at all.

use super::{ChunkOrders, Order, Reach, VolumeOrder};
use crate::input::blocks::Blocks;
use crate::input::strings::{Remap, Strings};
use chrono::{Days, NaiveDate};

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
/// date, never earlier than the latest one seen so far, so cuts made from
/// the rows read so far are safe: they only move later.
#[derive(Clone, Copy, Debug)]
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
    /// no window reaches; returns how many orders were dropped. Nothing is
    /// moved when nothing needs to be.
    pub(super) fn prune(&self, full: &mut Blocks<Order>, volume: &mut Blocks<VolumeOrder>) -> u64 {
        let stays = full
            .iter()
            .all(|o| self.tier(o.latest_date()) == Tier::Full)
            && volume.iter().all(|v| v.latest > self.horizon);
        if stays {
            return 0;
        }
        let mut demoted = Vec::new();
        let mut gone = 0;
        full.sift(|order| match self.tier(order.latest_date()) {
            Tier::Full => Some(order),
            Tier::Volume => {
                demoted.push(VolumeOrder::of(&order));
                None
            }
            Tier::Gone => {
                gone += 1;
                None
            }
        });
        volume.sift(|order| {
            let kept = order.latest > self.horizon;
            gone += u64::from(!kept);
            kept.then_some(order)
        });
        demoted.into_iter().for_each(|order| volume.push(order));
        gone
    }
}

impl ChunkOrders {
    /// Sifts the chunk's orders by the cuts the rows read so far allow.
    pub(super) fn prune(&mut self, reach: Reach) {
        if let Some(cuts) = Cuts::of(reach, self.latest_purchase) {
            self.out_of_reach += self.orders.prune(&cuts);
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

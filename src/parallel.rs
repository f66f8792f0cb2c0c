//! Work shared out among threads as each becomes free, so one long item
//! does not hold up the rest; the results come back in the items' order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The threads worth starting: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `run` on every item, changing it in place, shared out as
/// [`share_out`] does.
pub fn each_mut<T: Send>(threads: usize, items: &mut [T], run: impl Fn(usize, &mut T) + Sync) {
    // Each item is taken by one thread only; the lock makes that visible
    // to the compiler, not a point where threads wait.
    let items: Vec<Mutex<&mut T>> = items.iter_mut().map(Mutex::new).collect();
    share_out(
        threads,
        &items,
        || (),
        |i, item| run(i, &mut item.lock().unwrap_or_else(|e| e.into_inner())),
    );
}

/// Runs `first` on the calling thread while `threads - 1` other threads
/// take `items` one at a time (`run` gets each item's position too); the
/// caller joins them once `first` is done. Returns what `first` returned
/// and each item's result, in the items' order.
pub fn share_out<T: Sync, R: Send, F>(
    threads: usize,
    items: &[T],
    first: impl FnOnce() -> F,
    run: impl Fn(usize, &T) -> R + Sync,
) -> (F, Vec<R>) {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            let result = run(i, item);
            *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        }
    };
    let first = std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        let first = first();
        work();
        first
    });
    let results = slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                // A thread that panicked has already ended the scope above.
                .expect("every item is run before the threads end")
        })
        .collect();
    (first, results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_whatever_thread_ran_them() {
        let items: Vec<u64> = (0..50).collect();
        for threads in 1..=4 {
            let (first, squares) = share_out(threads, &items, || "first", |i, n| (i, n * n));
            assert_eq!(first, "first");
            let expected: Vec<(usize, u64)> = (0..50).map(|n| (n as usize, n * n)).collect();
            assert_eq!(squares, expected, "{threads} threads");
        }
    }

    #[test]
    fn each_item_is_changed_once_in_place() {
        for threads in 1..=4 {
            let mut items: Vec<u64> = (0..50).collect();
            each_mut(threads, &mut items, |i, n| *n = *n * 10 + i as u64);
            let expected: Vec<u64> = (0..50).map(|n| n * 11).collect();
            assert_eq!(items, expected, "{threads} threads");
        }
    }
}

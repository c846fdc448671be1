//! An ordered parallel map over batches: the calling thread produces batches (sheet readers need not be
//! thread-safe), worker threads transform them, and a sink thread consumes the results in production order.
//!
//! Channels are bounded, so only a few batches are in flight whatever the input's size, and consumed batches
//! are handed back to the producer for reuse.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Worker threads; the machines this targets have two cores, and the producer and sink take turns with them.
pub const WORKERS: usize = 2;

type Done<B, R, E> = (u64, B, Result<R, E>);

/// Runs the pipeline. `produce` gets a recycled batch (if one is free) and returns the next batch or `None`
/// at the end; `init` makes each worker's private state; `work` maps a batch; `sink` consumes results in
/// order and returns the batch for reuse. The first error in production order wins.
pub fn ordered_map<B, R, E, St>(
    mut produce: impl FnMut(Option<B>) -> Result<Option<B>, E>,
    init: impl Fn() -> St + Sync,
    work: impl Fn(&mut St, &B) -> Result<R, E> + Sync,
    mut sink: impl FnMut(B, R) -> Result<B, E> + Send,
) -> Result<(), E>
where
    B: Send,
    R: Send,
    E: Send,
{
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = sync_channel::<Done<B, R, E>>(WORKERS * 2);
        let (recycle_tx, recycle_rx) = sync_channel::<B>(WORKERS * 4);
        let mut work_txs: Vec<SyncSender<(u64, B)>> = Vec::with_capacity(WORKERS);
        for _ in 0..WORKERS {
            let (work_tx, work_rx) = sync_channel::<(u64, B)>(2);
            let done_tx = done_tx.clone();
            let (init, work) = (&init, &work);
            scope.spawn(move || run_worker(work_rx, done_tx, init, work));
            work_txs.push(work_tx);
        }
        drop(done_tx);
        let sinking = scope.spawn(move || run_sink(done_rx, recycle_tx, &mut sink));

        let mut produce_error = None;
        let mut seq = 0u64;
        loop {
            match produce(recycle_rx.try_recv().ok()) {
                Ok(Some(batch)) => {
                    if work_txs[(seq % WORKERS as u64) as usize].send((seq, batch)).is_err() {
                        break; // a worker or the sink stopped on an error, which the sink reports
                    }
                    seq += 1;
                }
                Ok(None) => break,
                Err(error) => {
                    produce_error = Some((seq, error));
                    break;
                }
            }
        }
        drop(work_txs);
        let sunk = sinking.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match (sunk, produce_error) {
            (Err((at, error)), Some((produced_at, _))) if at < produced_at => Err(error),
            (_, Some((_, error))) => Err(error),
            (Err((_, error)), None) => Err(error),
            (Ok(()), None) => Ok(()),
        }
    })
}

fn run_worker<B, R, E, St>(
    work_rx: Receiver<(u64, B)>,
    done_tx: SyncSender<Done<B, R, E>>,
    init: &(impl Fn() -> St + Sync),
    work: &(impl Fn(&mut St, &B) -> Result<R, E> + Sync),
) {
    let mut state = init();
    for (seq, batch) in work_rx {
        let result = work(&mut state, &batch);
        let failed = result.is_err();
        if done_tx.send((seq, batch, result)).is_err() || failed {
            return;
        }
    }
}

fn run_sink<B, R, E>(
    done_rx: Receiver<Done<B, R, E>>,
    recycle_tx: SyncSender<B>,
    sink: &mut impl FnMut(B, R) -> Result<B, E>,
) -> Result<(), (u64, E)> {
    let mut pending: BTreeMap<u64, (B, Result<R, E>)> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, batch, result) in done_rx {
        pending.insert(seq, (batch, result));
        while let Some((batch, result)) = pending.remove(&next) {
            let done = result.and_then(|r| sink(batch, r)).map_err(|e| (next, e))?;
            let _ = recycle_tx.try_send(done);
            next += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order_and_batches_are_recycled() {
        let mut produced = 0u32;
        let mut recycled = 0u32;
        let mut seen = Vec::new();
        let result: Result<(), String> = ordered_map(
            |reuse: Option<Vec<u32>>| {
                recycled += u32::from(reuse.is_some());
                if produced == 50 {
                    return Ok(None);
                }
                produced += 1;
                Ok(Some(vec![produced; 3]))
            },
            || 0u64,
            |calls: &mut u64, batch: &Vec<u32>| {
                *calls += 1;
                // Uneven work so workers finish out of order.
                if batch[0].is_multiple_of(3) {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                Ok(batch.iter().sum::<u32>())
            },
            |batch, sum| {
                seen.push(sum);
                Ok(batch)
            },
        );
        assert_eq!(result, Ok(()));
        assert_eq!(seen, (1..=50).map(|i| i * 3).collect::<Vec<_>>());
        assert!(recycled > 0, "consumed batches come back to the producer");
    }

    #[test]
    fn the_first_error_in_order_wins() {
        let mut n = 0;
        let result: Result<(), String> = ordered_map(
            |_: Option<u32>| {
                n += 1;
                if n == 40 { Err("produce failed at 40".to_string()) } else { Ok(Some(n)) }
            },
            || (),
            |_: &mut (), &b: &u32| if b == 7 || b == 9 { Err(format!("work failed at {b}")) } else { Ok(b) },
            |b, _| Ok(b),
        );
        assert_eq!(result, Err("work failed at 7".to_string()));
        let result: Result<(), String> = ordered_map(
            |_: Option<u32>| Err("nothing to read".to_string()),
            || (),
            |_: &mut (), &b: &u32| Ok(b),
            |b, _| Ok(b),
        );
        assert_eq!(result, Err("nothing to read".to_string()));
    }
}

//! The block clock of one chain in virtual time.
//!
//! A chain conceptually makes a block every `block_time`; the runtime only *executes* a block
//! when there is work in it, so idle days cost nothing. Given the simulation's elapsed time
//! the clock says which block is current. A halt freezes the clock; on resuming, the next block
//! comes at the resume time.

/// Height and time (ms since the simulation started) of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockPos {
    /// Block height.
    pub height: u64,
    /// Block time, ms since the simulation started.
    pub time_ms: u64,
}

/// The block clock.
#[derive(Clone, Debug)]
pub struct BlockClock {
    block_time_ms: u64,
    last: BlockPos,
    halted_until: Option<u64>,
}

impl BlockClock {
    /// A clock at height 1, time 0, making a block every `block_time_ms`.
    pub fn new(block_time_ms: u64) -> Self {
        BlockClock {
            block_time_ms: block_time_ms.max(1),
            last: BlockPos {
                height: 1,
                time_ms: 0,
            },
            halted_until: None,
        }
    }

    /// Time between blocks, ms.
    pub fn block_time_ms(&self) -> u64 {
        self.block_time_ms
    }

    /// The last block the clock advanced to.
    pub fn last(&self) -> BlockPos {
        self.last
    }

    /// The end of the current halt, if the chain is halted at `now_ms`.
    pub fn halted_at(&self, now_ms: u64) -> Option<u64> {
        self.halted_until.filter(|until| now_ms < *until)
    }

    /// The block current at `now_ms` (the last one while halted), without advancing.
    pub fn block_at(&self, now_ms: u64) -> BlockPos {
        if self.halted_at(now_ms).is_some() {
            return self.last;
        }
        let mut base = self.last;
        if let Some(until) = self.halted_until {
            // Resumed: the first block after the halt comes at the resume time.
            base.time_ms = until.saturating_sub(self.block_time_ms).max(base.time_ms);
        }
        if now_ms < base.time_ms + self.block_time_ms {
            return self.last;
        }
        let blocks = (now_ms - base.time_ms) / self.block_time_ms;
        BlockPos {
            height: base.height + blocks,
            time_ms: base.time_ms + blocks * self.block_time_ms,
        }
    }

    /// Advance to the block current at `now_ms`; returns it if it is a new block.
    pub fn advance(&mut self, now_ms: u64) -> Option<BlockPos> {
        let pos = self.block_at(now_ms);
        if self.halted_at(now_ms).is_none() && self.halted_until.is_some() {
            self.halted_until = None;
        }
        (pos != self.last).then(|| {
            self.last = pos;
            pos
        })
    }

    /// Halt from `now_ms` (after catching up) until `until_ms`.
    pub fn halt(&mut self, now_ms: u64, until_ms: u64) {
        self.advance(now_ms);
        self.halted_until = Some(until_ms.max(self.halted_until.unwrap_or(0)));
    }

    /// The time of the first block at or after `at_ms` (and after the last block), if the chain
    /// keeps running: after a halt the blocks follow the resume time, so a time computed from
    /// genesis (an unbonding's completion) may fall between two blocks.
    pub fn block_time_at_or_after(&self, at_ms: u64) -> u64 {
        let mut base = self.last;
        if let Some(until) = self.halted_until {
            base.time_ms = until.saturating_sub(self.block_time_ms).max(base.time_ms);
        }
        let blocks = at_ms
            .saturating_sub(base.time_ms)
            .div_ceil(self.block_time_ms)
            .max(1);
        base.time_ms + blocks * self.block_time_ms
    }

    /// The time of block `height` if the chain keeps running from its last block.
    pub fn time_of_height(&self, height: u64) -> u64 {
        let base = self.last;
        base.time_ms + height.saturating_sub(base.height) * self.block_time_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_follow_elapsed_time() {
        let mut c = BlockClock::new(5_000);
        assert_eq!(c.block_at(4_999).height, 1);
        assert_eq!(c.advance(4_999), None);
        let b = c.advance(12_000).unwrap();
        assert_eq!((b.height, b.time_ms), (3, 10_000));
        // 21 days later, one step.
        let b = c.advance(10_000 + 21 * 86_400_000).unwrap();
        assert_eq!(b.height, 3 + 21 * 86_400 / 5);
    }

    /// A time between two blocks maps to the next block, also on the grid a halt shifted; a
    /// time already passed maps to the next block (never to the past).
    #[test]
    fn block_time_at_or_after_rounds_up_to_the_grid() {
        let mut c = BlockClock::new(7_000);
        assert_eq!(c.block_time_at_or_after(39_780_000), 39_781_000);
        assert_eq!(c.block_time_at_or_after(14_000), 14_000);
        assert_eq!(c.block_time_at_or_after(0), 7_000);
        c.halt(10_000, 20_500);
        assert_eq!(c.block_time_at_or_after(15_000), 20_500);
        assert_eq!(c.block_time_at_or_after(30_000), 34_500);
    }

    #[test]
    fn halt_freezes_and_resumes_at_the_end() {
        let mut c = BlockClock::new(5_000);
        c.halt(7_000, 3_600_000);
        assert_eq!(c.last().height, 2);
        assert_eq!(c.halted_at(100_000), Some(3_600_000));
        assert_eq!(c.advance(1_000_000), None);
        let b = c.advance(3_600_000).unwrap();
        assert_eq!((b.height, b.time_ms), (3, 3_600_000));
        let b = c.advance(3_610_000).unwrap();
        assert_eq!((b.height, b.time_ms), (5, 3_610_000));
        assert_eq!(c.halted_at(3_610_000), None);
    }
}

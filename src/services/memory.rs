//! Memory budgets: a process-wide allowance of bytes that work reserves before it allocates and
//! gives back when it ends, so that many large requests at once take turns instead of taking
//! the process's memory together.

use tokio::sync::{AcquireError, Semaphore, SemaphorePermit};

const MIB: u64 = 1024 * 1024;

/// A number of bytes, handed out in whole mebibytes, first come first served.
pub struct MemoryBudget {
    mebibytes: Semaphore,
    total_mebibytes: u32,
}

/// Memory reserved from a budget until this is dropped.
#[derive(Debug)]
pub struct Reservation {
    _held: SemaphorePermit<'static>,
}

impl MemoryBudget {
    /// A budget of `bytes`, rounded down to whole mebibytes (at least one).
    pub const fn new(bytes: u64) -> Self {
        let mebibytes = if bytes / MIB == 0 { 1 } else { bytes / MIB };
        let total_mebibytes = if mebibytes > u32::MAX as u64 { u32::MAX } else { mebibytes as u32 };
        MemoryBudget { mebibytes: Semaphore::const_new(total_mebibytes as usize), total_mebibytes }
    }

    pub fn total_bytes(&self) -> u64 {
        u64::from(self.total_mebibytes) * MIB
    }

    /// Wait until `bytes` are free, rounded up to whole mebibytes and at most the whole budget
    /// (refuse larger work before asking), and hold them until the reservation is dropped.
    pub async fn reserve(&'static self, bytes: u64) -> Result<Reservation, AcquireError> {
        let mebibytes = bytes.div_ceil(MIB).clamp(1, u64::from(self.total_mebibytes));
        let mebibytes = u32::try_from(mebibytes).unwrap_or(self.total_mebibytes);
        self.mebibytes.acquire_many(mebibytes).await.map(|held| Reservation { _held: held })
    }

    /// Mebibytes not reserved right now.
    pub fn available_mebibytes(&self) -> usize {
        self.mebibytes.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static BUDGET: MemoryBudget = MemoryBudget::new(8 * MIB);

    #[tokio::test]
    async fn reservations_wait_for_memory_and_give_it_back() {
        assert_eq!(BUDGET.total_bytes(), 8 * MIB);
        let big = BUDGET.reserve(5 * MIB + 1).await.unwrap();
        assert_eq!(BUDGET.available_mebibytes(), 2, "rounded up to whole mebibytes");
        let small = BUDGET.reserve(10).await.unwrap();
        assert_eq!(BUDGET.available_mebibytes(), 1);
        // More than is free: it waits until the big one is given back.
        let waiting = tokio::spawn(BUDGET.reserve(4 * MIB));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished());
        drop(big);
        let third = waiting.await.unwrap().unwrap();
        assert_eq!(BUDGET.available_mebibytes(), 3);
        drop((small, third));
        // More than the whole budget takes the whole budget.
        let all = BUDGET.reserve(100 * MIB).await.unwrap();
        assert_eq!(BUDGET.available_mebibytes(), 0);
        drop(all);
        assert_eq!(BUDGET.available_mebibytes(), 8);
    }
}

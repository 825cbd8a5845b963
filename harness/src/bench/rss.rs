//! Peak resident set size of this process, from `/proc/self/status` (Linux only).
//!
//! `VmHWM` is the high-water mark of the resident set since the process started, or since the
//! last reset: writing `5` to `/proc/self/clear_refs` resets it to the current resident set
//! (Linux ≥ 4.0). Memory the allocator keeps after an earlier case counts as resident, so the
//! bench runs its cases from small to large.

/// Reset the peak to the current resident set; false where the kernel does not allow it.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The peak resident set since the start or the last [`reset_peak`], in MiB.
pub fn peak_mb() -> Option<f64> {
    status_kb("VmHWM:").map(|kb| kb as f64 / 1024.0)
}

/// The current resident set, in MiB.
pub fn current_mb() -> Option<f64> {
    status_kb("VmRSS:").map(|kb| kb as f64 / 1024.0)
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_kb(&status, field)
}

fn parse_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `kB` value of a status field is read, other fields are not confused with it.
    #[test]
    fn parses_status_fields() {
        let status = "VmPeak:\t  900 kB\nVmHWM:\t  320716 kB\nVmRSS:\t   13512 kB\n";
        assert_eq!(parse_kb(status, "VmHWM:"), Some(320_716));
        assert_eq!(parse_kb(status, "VmRSS:"), Some(13_512));
        assert_eq!(parse_kb(status, "VmSwap:"), None);
    }

    /// After a reset the peak is at most a little above the current resident set.
    #[test]
    #[cfg(target_os = "linux")]
    fn reset_brings_the_peak_down_to_the_current_set() {
        let big: Vec<u8> = vec![1; 64 << 20];
        assert_eq!(big.iter().map(|&b| b as u64).sum::<u64>(), 64 << 20);
        drop(big);
        if reset_peak() {
            let (peak, now) = (peak_mb().unwrap(), current_mb().unwrap());
            assert!(peak < now + 32.0, "peak {peak} MiB, current {now} MiB");
        }
    }
}

//! The database file read once from start to end before SQLite's page check walks it.
//!
//! SQLite's quick and integrity checks visit every page in B-tree order, which on disk is a
//! random order: one small read per page. On this machine's disk the routine doctor took 139 s
//! on the 10 GB store of a million members with nothing in the page cache, while reading the
//! same file in order takes 5 to 10 s. With that read first, the check finds its pages in memory
//! and the routine doctor takes 46 s (docs/performance.md). So the doctor reads the file in
//! order first, when the page cache can hold it: with too little memory the start of the file
//! would be gone again by the time the check needs it, and the read would only have cost time.

use std::path::Path;

/// Reads `path` through, when it fits in the memory the system says is available. Errors are
/// not the doctor's findings: a file it cannot read here, SQLite's check reports in its own
/// words.
pub(super) async fn read_ahead(path: &Path) {
    let path = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let size = std::fs::metadata(&path)?.len();
        if fits_in_memory(size) {
            std::io::copy(&mut std::fs::File::open(&path)?, &mut std::io::sink())?;
        }
        Ok(())
    });
    let _ = read.await;
}

/// Whether a file of `size` bytes fits in three quarters of the memory Linux says is available
/// (free, or page cache it can drop). Elsewhere nobody says, and the file is not read ahead.
fn fits_in_memory(size: u64) -> bool {
    available_memory().is_some_and(|available| size <= available / 4 * 3)
}

#[cfg(target_os = "linux")]
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    mem_available(&meminfo)
}

#[cfg(not(target_os = "linux"))]
fn available_memory() -> Option<u64> {
    None
}

/// `MemAvailable` of `/proc/meminfo`, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_available_memory_is_read_from_meminfo() {
        let meminfo = "MemTotal:       24570000 kB\nMemFree:        14000000 kB\n\
                       MemAvailable:   23000000 kB\nBuffers:          100000 kB\n";
        assert_eq!(mem_available(meminfo), Some(23_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
    }
}

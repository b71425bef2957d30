//! Replays what `make fuzz` starts from and everything it ever found, through the very functions
//! the fuzz targets call (`tessera_core::fuzzing`): the committed corpus (`fuzz/corpus/`) and
//! every crash or hang turned into a regression (`fuzz/regressions/<target>/`). A panic is a
//! failure. Runs in `make test`; the fuzzing itself is `make fuzz` (long, not in the tests).

use std::path::{Path, PathBuf};

use tessera_core::fuzzing::{seeds, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable folder").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_a_corpus_that_holds_its_seeds() {
    // TESSERA_WRITE_FUZZ_SEEDS=1 writes the seeds (once, after changing them in `fuzzing`).
    let write = std::env::var_os("TESSERA_WRITE_FUZZ_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = fuzz_dir().join("corpus").join(target).join(name);
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("the seed {} is not committed: {e}", path.display()));
        assert_eq!(committed, bytes, "{} differs from its seed", path.display());
    }
    for (target, _) in TARGETS {
        let seeds = files_in(&fuzz_dir().join("corpus").join(target));
        assert!(seeds.len() >= 3, "{target} has {} seeds", seeds.len());
    }
}

#[test]
fn the_corpus_and_every_regression_pass_their_target() {
    let mut replayed = 0;
    for (target, check) in TARGETS {
        for folder in ["corpus", "regressions"] {
            for file in files_in(&fuzz_dir().join(folder).join(target)) {
                let bytes = std::fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| check(&bytes));
                assert!(outcome.is_ok(), "{target} fails on {}", file.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 5 * 3, "only {replayed} inputs replayed");
}

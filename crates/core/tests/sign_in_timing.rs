//! A wrong name and a wrong PIN take the same time at sign-in. Alone in its own test binary,
//! so that no other test shares the two cores while it measures.

mod common;

use std::time::Instant;

/// A wrong name and a wrong PIN take the same time: each pair is measured back to back, and
/// the ratios of each pair compared .
#[tokio::test]
async fn a_wrong_name_and_a_wrong_pin_take_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = common::bakery_with_a_cashier(dir.path()).await;
    let mut wrong_name = Vec::new();
    let mut wrong_pin = Vec::new();
    for round in 0..41 {
        // Each attempt comes right after a right sign-in (which clears the counts, so no wait
        // comes in), so both are measured in the same state; which goes first alternates.
        let timed = |name: String| {
            let store = store.clone();
            async move {
                store.sign_in("Sam", "0000").await.unwrap();
                let started = Instant::now();
                let refused = store.sign_in(&name, "9876").await.unwrap_err();
                assert_eq!(refused.code(), "wrong_pin");
                started.elapsed().as_secs_f64()
            }
        };
        // A new unknown name each round, as Sam's count is new each round.
        let nobody = format!("Nobody {round}");
        if round % 2 == 0 {
            wrong_name.push(timed(nobody).await);
            wrong_pin.push(timed("Sam".into()).await);
        } else {
            wrong_pin.push(timed("Sam".into()).await);
            wrong_name.push(timed(nobody).await);
        }
    }
    // Each round's two times were taken back to back: their ratio is free of the machine's
    // drift over the run (another program, the disk's cache), and its median of the odd one out.
    let mut ratios: Vec<f64> = wrong_name
        .iter()
        .zip(&wrong_pin)
        .map(|(name, pin)| name / pin)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let mean = |times: &[f64]| times.iter().sum::<f64>() / times.len() as f64 * 1e3;
    println!(
        "wrong name {:.2} ms, wrong PIN {:.2} ms (means), median ratio {ratio:.3}",
        mean(&wrong_name),
        mean(&wrong_pin)
    );
    assert!(
        (ratio - 1.0).abs() < 0.05,
        "a wrong name takes {ratio:.3} times as long as a wrong PIN"
    );
}

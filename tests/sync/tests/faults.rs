//! The fault harness, after jepsen-powersync: several tills do random cashier work while a
//! nemesis cuts connections mid-push and mid-pull, delivers old pull pages late, replays old
//! push batches, kills the hub (SIGKILL) and restarts it, and kills tills in the middle of a
//! sync. Then everything heals, the tills sync until quiet, and a checker reads every replica:
//! the same events, members and records everywhere, every acknowledged action present exactly
//! once, every device's sequence gap-free, the cards the projection of the union of events,
//! and every redemption the union cannot pay for in every till's conflict queue.
//!
//! Seeded and short in `make test`; `make soak` runs it long:
//!   TESSERA_SOAK_OPS (150)  TESSERA_SOAK_TILLS (3)  TESSERA_SOAK_SEED (3)

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tessera_core::counter::conflicts::unpaid;
use tessera_sync_tests::proxy::{Faults, Proxy};
use tessera_sync_tests::{assert_converged, Hub, Replica, Till};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Punches per reward: small, so rewards, redemptions and conflicts come often.
const PUNCHES: i64 = 5;

#[derive(Default)]
struct Tally {
    done: BTreeMap<&'static str, u64>,
    refused: BTreeMap<&'static str, u64>,
    nemesis: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn count(&mut self, what: &'static str, ok: bool) {
        let map = if ok {
            &mut self.done
        } else {
            &mut self.refused
        };
        *map.entry(what).or_default() += 1;
    }
}

#[tokio::test]
async fn tills_converge_and_lose_nothing_under_cuts_crashes_replays_and_late_pages() {
    let ops = setting("TESSERA_SOAK_OPS", 150);
    let till_count = setting("TESSERA_SOAK_TILLS", 3).clamp(2, 8) as usize;
    let seed = setting("TESSERA_SOAK_SEED", 3);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(dir.path());
    let proxy = Proxy::start(&hub.url, seed);

    // The first till worked alone before joining; the others start empty.
    let tills: Vec<Till> = (0..till_count)
        .map(|i| Till::new(dir.path(), &format!("till{i}")))
        .collect();
    tills[0].set_up("Café Lumière");
    tills[0].add_coffee_program(PUNCHES);
    let mut codes = vec![tills[0].enroll("Claire Dubois")];
    for (i, till) in tills.iter().enumerate() {
        let (token, _) = hub.add_device(if i % 2 == 0 {
            "Café Lumière"
        } else {
            "Café de la Gare"
        });
        till.join(&proxy.url, &token);
    }

    let mut acknowledged: BTreeSet<String> = BTreeSet::new();
    let mut punches_of: Vec<Vec<String>> = vec![Vec::new(); till_count];
    let mut tally = Tally::default();
    let mut hub_down_for = 0u32;
    // A till whose line is down until this operation: it works, and does not sync.
    let mut offline_until = vec![0u64; till_count];
    for op in 0..ops {
        // The nemesis.
        if hub_down_for > 0 {
            hub_down_for -= 1;
            if hub_down_for == 0 {
                hub.restart();
                proxy.retarget(&hub.url);
            }
        } else if rng.gen_bool(0.04) {
            hub.kill();
            hub_down_for = rng.gen_range(1..6);
            *tally.nemesis.entry("hub_killed").or_default() += 1;
        }
        if op % 10 == 0 {
            let faulty = rng.gen_bool(0.6);
            proxy.set_faults(if faulty {
                Faults {
                    cut_request: 0.15,
                    cut_answer: 0.15,
                    stale_pull: 0.2,
                }
            } else {
                Faults::default()
            });
        }
        if hub_down_for == 0 && rng.gen_bool(0.03) {
            proxy.replay_old_push();
        }

        if rng.gen_bool(0.05) {
            let cut = rng.gen_range(0..till_count);
            offline_until[cut] = op + rng.gen_range(5..25);
            *tally.nemesis.entry("till_offline_for_a_while").or_default() += 1;
        }

        // A cashier's work.
        let i = rng.gen_range(0..till_count);
        let online = offline_until[i] <= op;
        let till = &tills[i];
        let roll: f64 = rng.gen();
        // Most work is on one regular's card, so tills apart give the same reward.
        let code = if rng.gen_bool(0.6) {
            codes[0].clone()
        } else {
            codes[rng.gen_range(0..codes.len())].clone()
        };
        if roll < 0.45 {
            let count = rng.gen_range(1..4).to_string();
            let (ok, json) = till.try_run(&["punch", &code, "--count", &count]);
            tally.count("punch", ok);
            if ok {
                let id = json["event"]["id"].as_str().unwrap().to_string();
                punches_of[i].push(id.clone());
                acknowledged.insert(id);
            }
        } else if roll < 0.70 {
            let (ok, json) = till.try_run(&["redeem", &code]);
            tally.count("redeem", ok);
            if ok {
                acknowledged.insert(json["event"]["id"].as_str().unwrap().to_string());
            }
        } else if roll < 0.74 && !punches_of[i].is_empty() {
            let target = punches_of[i][rng.gen_range(0..punches_of[i].len())].clone();
            let (ok, json) = till.try_run(&["void", &target, "--reason", "scanned-twice"]);
            tally.count("void", ok);
            if ok {
                acknowledged.insert(json["event"]["id"].as_str().unwrap().to_string());
            }
        } else if roll < 0.77 {
            let name = format!("Member {op}");
            let (ok, json) = till.try_run(&["member", "add", "--name", &name]);
            tally.count("enroll", ok);
            if ok {
                codes.push(json["code"].as_str().unwrap().to_string());
            }
        } else if !online {
            tally.count("offline", true);
        } else if roll < 0.80 {
            // A till killed in the middle of a sync (power cut, crash).
            let mut sync = till.spawn(&["sync"]);
            kill_after(&mut sync, Duration::from_millis(rng.gen_range(0..40)));
            let _ = sync.wait();
            *tally.nemesis.entry("till_killed_mid_sync").or_default() += 1;
        } else {
            let (ok, _) = till.try_run(&["sync"]);
            tally.count("sync", ok);
        }
    }

    // Heal, then sync round after round until a whole round moves nothing.
    proxy.set_faults(Faults::default());
    if hub_down_for > 0 {
        hub.restart();
        proxy.retarget(&hub.url);
    }
    let healed = Instant::now();
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 20, "the tills did not become quiet in 20 rounds");
        let mut moved = 0;
        for till in &tills {
            let report = till.sync();
            for field in [
                "pushed_changes",
                "pushed_events",
                "pulled_changes",
                "pulled_events",
            ] {
                moved += report[field].as_u64().unwrap();
            }
        }
        if moved == 0 {
            break;
        }
    }
    let convergence = healed.elapsed();

    let refs: Vec<&Till> = tills.iter().collect();
    let replica = assert_converged(&refs, &acknowledged).await;
    let unpaid_in_union = unpaid_redemptions(&replica);
    for till in &tills {
        let queue: BTreeSet<String> = till
            .run(&["conflicts"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(queue, unpaid_in_union, "{}'s conflict queue", till.name);
        let status = till.run(&["sync", "status"]);
        assert_eq!(status["events_waiting"], 0, "{}", till.name);
        assert_eq!(status["changes_waiting"], 0, "{}", till.name);
    }

    let mut faults = tally.nemesis.clone();
    for (kind, n) in proxy.counts() {
        *faults.entry(kind).or_default() += n;
    }
    println!(
        "fault harness (seed {seed}): {ops} operations on {till_count} tills\n  done: {:?}\n  refused: {:?}\n  faults: {:?}\n  converged {} s after healing, in {rounds} rounds; {} events, {} members, {} conflicts",
        tally.done,
        tally.refused,
        faults,
        convergence.as_secs_f64(),
        replica.events.len(),
        replica.members.len(),
        unpaid_in_union.len()
    );
    assert!(
        faults.values().sum::<u64>() > 0,
        "the nemesis did nothing: the run proves nothing"
    );
}

/// Kills `child` (SIGKILL) at a random moment of its work: a fault injected, not a wait for
/// something to happen, which is why a sleep is right here.
#[expect(
    clippy::disallowed_methods,
    reason = "the delay picks when the fault strikes; nothing waits on it"
)]
fn kill_after(child: &mut std::process::Child, delay: Duration) {
    std::thread::sleep(delay);
    let _ = child.kill();
}

/// Every redemption the union of events cannot pay for, by the conflict rule.
fn unpaid_redemptions(replica: &Replica) -> BTreeSet<String> {
    let mut by_card: BTreeMap<(uuid::Uuid, uuid::Uuid), Vec<tessera_core::ledger::Event>> =
        BTreeMap::new();
    for event in replica.events.values() {
        if let Some(program) = event.program_id {
            by_card
                .entry((event.member_id.0, program.0))
                .or_default()
                .push(event.clone());
        }
    }
    by_card
        .values()
        .flat_map(|events| unpaid(events, PUNCHES))
        .map(|(id, _)| id.to_string())
        .collect()
}

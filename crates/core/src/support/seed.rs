//! A big store from a seed, for benchmarks and report timings (`tessera dev seed`): members
//! enrolled over the years before today, each coming at their own pace (weekly regulars,
//! monthly ones, some who stop coming, some who never come back), stamping a coffee card or
//! earning points, redeeming when a card is full, and now and then a punch voided. The same
//! seed and sizes give the same history (times are relative to today).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::counter::programs::{NewProgram, PointsReward, ProgramKind};
use crate::error::Result;
use crate::ids::{MemberId, ProgramId, StaffId};
use crate::ledger::EventKind;
use crate::people::auth::Permission;
use crate::people::members::NewMember;
use crate::people::shop::Actor;
use crate::store::Store;

#[derive(Clone, Copy, Debug)]
pub struct SeedPlan {
    pub members: u64,
    /// About this many events in all (enrolments included).
    pub events: u64,
    pub years: u32,
    pub seed: u64,
}

/// A generated member as the simulation goes.
struct Person {
    /// Once enrolled.
    id: Option<MemberId>,
    /// Visits per second, on average (none: never comes back).
    per_second: f64,
    /// They stop coming after this.
    until: DateTime<Utc>,
    stamps: i64,
}

/// The member's next visit, at exponential intervals of their mean, unless they have stopped
/// coming by then (or it would be in the future).
fn schedule(
    queue: &mut BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    rng: &mut StdRng,
    person: &Person,
    n: usize,
    after: DateTime<Utc>,
) {
    if person.per_second <= 0.0 {
        return;
    }
    let wait = -(1.0 - rng.gen::<f64>()).ln() / person.per_second;
    // At least a few minutes between two visits: two in one breath are one.
    let next = after + Duration::seconds((wait as i64).max(600));
    if next < person.until {
        queue.push(Reverse((next, n)));
    }
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Seeded {
    pub members: u64,
    pub events: u64,
}

const COFFEE_STAMPS: i64 = 9;
const FIRST_NAMES: &[&str] = &[
    "Claire", "Julien", "Giulia", "Marco", "Andreea", "Ștefan", "Eszter", "Gergő", "Emma",
    "Oliver", "Léa", "Hugo", "Sara", "Bianca", "Réka", "Ödön", "Chloé", "Luca", "Ioana", "Anna",
];
const LAST_NAMES: &[&str] = &[
    "Dubois", "Moreau", "Rossi", "Bianchi", "Popescu", "Ionescu", "Szabó", "Nagy", "Walsh",
    "Bennett", "Martin", "Bernard", "Colombo", "Munteanu", "Kovács", "Tóth", "Fontaine", "Ferrari",
    "Țurcanu", "Horváth",
];

impl Store {
    /// Managers only: writes the plan's history on this till, reporting progress every
    /// thousand members enrolled.
    pub async fn seed_history(
        &self,
        actor: &Actor,
        plan: SeedPlan,
        mut progress: impl FnMut(Seeded),
    ) -> Result<Seeded> {
        actor.require(Permission::ManagePrograms)?;
        let (coffee, points) = self.seed_programs(actor).await?;
        let staff: Vec<StaffId> = sqlx::query_scalar("SELECT id FROM staff WHERE active = 1")
            .fetch_all(self.pool())
            .await?;
        let mut rng = StdRng::seed_from_u64(plan.seed);
        let now = Utc::now();
        let span = Duration::days(365 * i64::from(plan.years.max(1)));
        let start = now - span;
        // Visits per member on average, enrolment and redemptions aside (about one event in
        // eleven is a redemption or a void).
        let visits_each =
            (plan.events.saturating_sub(plan.members) as f64 * 0.91) / plan.members.max(1) as f64;

        // The shop's days are simulated in time order, as a till would have written them
        // (what sits next to what in the file then matches a real ledger): a queue of each
        // member's next visit, enrolments first scheduled evenly over the span.
        let mut people: Vec<Person> = Vec::with_capacity(plan.members as usize);
        let mut queue: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> = BinaryHeap::new();
        for n in 0..plan.members as usize {
            let spread = span.num_seconds() as f64 * (n as f64 + rng.gen::<f64>());
            let enrolled = start + Duration::seconds((spread / plan.members as f64) as i64);
            // Their pace: a weekly regular, a monthly one, or one who never comes back; a
            // third of them stop coming some time before today.
            let weight = match rng.gen_range(0..10) {
                0..=2 => 2.2,
                3..=8 => 0.55,
                _ => 0.0,
            };
            let until = if rng.gen_bool(0.33) {
                enrolled + (now - enrolled) / rng.gen_range(2..6)
            } else {
                now
            };
            // The same pace whenever they joined. A member is around for about 39 % of the
            // span on average (joined halfway, a third leave early), so the pace that makes
            // the plan's count of visits is the count over that.
            let per_second = visits_each * weight / (0.39 * span.num_seconds() as f64);
            people.push(Person {
                id: None,
                per_second,
                until,
                stamps: 0,
            });
            queue.push(Reverse((enrolled, n)));
        }

        let mut writer = self.history_writer().await?;
        let mut done = Seeded::default();
        while let Some(Reverse((at, n))) = queue.pop() {
            let by = staff[rng.gen_range(0..staff.len())];
            let person = &mut people[n];
            let member = match person.id {
                Some(id) => id,
                None => {
                    let name = format!(
                        "{} {}",
                        FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
                        LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())]
                    );
                    let new = NewMember {
                        name,
                        ..NewMember::default()
                    };
                    let id = writer.enrol(by, &new, at).await?;
                    person.id = Some(id);
                    done.events += 1;
                    done.members += 1;
                    if done.members % 1000 == 0 {
                        progress(done);
                    }
                    schedule(&mut queue, &mut rng, person, n, at);
                    continue;
                }
            };
            if rng.gen_bool(0.8) {
                let punch = writer
                    .event(by, EventKind::Punch, member, Some(coffee), 1, at)
                    .await?;
                done.events += 1;
                if rng.gen_bool(0.01) {
                    writer.void(by, punch, at + Duration::seconds(40)).await?;
                    done.events += 1;
                } else {
                    person.stamps += 1;
                    if person.stamps == COFFEE_STAMPS {
                        let later = at + Duration::seconds(30);
                        writer
                            .event(by, EventKind::Redeem, member, Some(coffee), 1, later)
                            .await?;
                        done.events += 1;
                        person.stamps = 0;
                    }
                }
            } else {
                let points_earned = rng.gen_range(2..30);
                writer
                    .event(
                        by,
                        EventKind::Punch,
                        member,
                        Some(points),
                        points_earned,
                        at,
                    )
                    .await?;
                done.events += 1;
            }
            schedule(&mut queue, &mut rng, person, n, at);
        }
        writer.finish().await?;
        progress(done);
        Ok(done)
    }

    /// The coffee card and the points program the seed punches: the shop's own when it has
    /// them, made otherwise.
    async fn seed_programs(&self, actor: &Actor) -> Result<(ProgramId, ProgramId)> {
        let find = |kind: ProgramKind| async move {
            sqlx::query_scalar::<_, ProgramId>(
                "SELECT id FROM program WHERE kind = ? AND active = 1 AND retired_at IS NULL
                 AND (kind = 'points' OR punches_needed = ?) ORDER BY created_at LIMIT 1",
            )
            .bind(kind)
            .bind(COFFEE_STAMPS)
            .fetch_optional(self.pool())
            .await
        };
        let coffee = match find(ProgramKind::Stamps).await? {
            Some(id) => id,
            None => {
                let new = NewProgram::stamps("Coffee", COFFEE_STAMPS, "A coffee");
                self.add_program(actor, &new).await?.id
            }
        };
        let points = match find(ProgramKind::Points).await? {
            Some(id) => id,
            None => {
                let tiers = [(50, "A croissant"), (120, "A cake")]
                    .map(|(points, reward)| PointsReward {
                        points,
                        reward: reward.into(),
                    })
                    .to_vec();
                self.add_program(actor, &NewProgram::points("Points", 1, tiers))
                    .await?
                    .id
            }
        };
        Ok((coffee, points))
    }
}

//! Merging duplicate members: the same person enrolled twice (in two shops, or twice here). A
//! manager merges one into the other with a `merge` event, which syncs like any other; nothing
//! is rewritten. Every member the merged one stood for, and every card of theirs, leads to the
//! kept member from then on, and their cards' totals are added together.
//!
//! Which member a merged one stands for is decided from the set of merge events alone, so every
//! till agrees whatever order they arrive in (docs/decisions/0016-merging-members.md): merges
//! are taken in time order (then by id), each joining the group of its merged member to the
//! group of its kept member, whose first member keeps standing for the whole group. A merge
//! that would join a group to itself (two managers merging the same two people both ways)
//! changes nothing.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::counter::card::CardTotals;
use crate::counter::lookup::MemberView;
use crate::error::{CoreError, Result};
use crate::ids::{EventId, MemberId, ProgramId};
use crate::ledger::{self, EventKind, NewEvent};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

/// One merge event, as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MergeFact {
    pub id: EventId,
    pub at: DateTime<Utc>,
    pub keep: MemberId,
    pub other: MemberId,
}

/// Who each member of a group stands for, from the group's merges (any order, each once).
/// Members that stand for themselves are left out.
pub(crate) fn stands_for(merges: &[MergeFact]) -> HashMap<MemberId, MemberId> {
    let mut ordered: Vec<&MergeFact> = merges.iter().collect();
    ordered.sort_by_key(|m| (m.at, m.id));
    ordered.dedup_by_key(|m| m.id);
    let mut parent: HashMap<MemberId, MemberId> = HashMap::new();
    fn root(parent: &HashMap<MemberId, MemberId>, mut member: MemberId) -> MemberId {
        while let Some(&up) = parent.get(&member) {
            member = up;
        }
        member
    }
    for merge in ordered {
        let keep = root(&parent, merge.keep);
        let other = root(&parent, merge.other);
        if keep != other {
            parent.insert(other, keep);
        }
    }
    let members: Vec<MemberId> = parent.keys().copied().collect();
    members.into_iter().map(|m| (m, root(&parent, m))).collect()
}

/// The member `id` stands for now (itself unless merged), read in a transaction or the pool.
pub(crate) async fn canonical<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    id: MemberId,
) -> Result<MemberId> {
    let kept: Option<MemberId> =
        sqlx::query_scalar("SELECT member_id FROM member_alias WHERE alias_id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(kept.unwrap_or(id))
}

/// Who each of `members` stands for, for those merged into another (the rest stand for
/// themselves and are left out).
pub(crate) async fn canonical_of_all(
    tx: &mut WriteTx,
    members: &[MemberId],
) -> Result<HashMap<MemberId, MemberId>> {
    let distinct: Vec<MemberId> = members
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let kept: Vec<(MemberId, MemberId)> = crate::store::lists::fetch_in(
        tx,
        "SELECT alias_id, member_id FROM member_alias WHERE alias_id IN ",
        &distinct,
    )
    .await?;
    Ok(kept.into_iter().collect())
}

/// After a merge event was written (here or received): works out again who each member of the
/// merge's group stands for, and moves card totals to the members that now hold them.
pub(crate) async fn regroup(tx: &mut WriteTx, keep: MemberId, other: MemberId) -> Result<()> {
    // The group: every member linked to these two by merges.
    let mut group: BTreeSet<MemberId> = BTreeSet::from([keep, other]);
    let mut merges: Vec<MergeFact> = Vec::new();
    let mut seen: BTreeSet<EventId> = BTreeSet::new();
    let mut to_visit: Vec<MemberId> = vec![keep, other];
    while let Some(member) = to_visit.pop() {
        let found: Vec<(EventId, DateTime<Utc>, MemberId, MemberId)> = sqlx::query_as(
            "SELECT id, at, member_id, other_member FROM event
             WHERE kind_code = 7 AND member_id = ?1
             UNION
             SELECT id, at, member_id, other_member FROM event
             WHERE kind_code = 7 AND other_member = ?1",
        )
        .bind(member)
        .fetch_all(&mut **tx)
        .await?;
        for (id, at, keep, other) in found {
            if !seen.insert(id) {
                continue;
            }
            merges.push(MergeFact {
                id,
                at,
                keep,
                other,
            });
            for m in [keep, other] {
                if group.insert(m) {
                    to_visit.push(m);
                }
            }
        }
    }
    let map = stands_for(&merges);
    let holder = |m: MemberId| map.get(&m).copied().unwrap_or(m);
    for &member in &group {
        let now = holder(member);
        sqlx::query("DELETE FROM member_alias WHERE alias_id = ?")
            .bind(member)
            .execute(&mut **tx)
            .await?;
        if now == member {
            continue;
        }
        sqlx::query("INSERT INTO member_alias (alias_id, member_id) VALUES (?, ?)")
            .bind(member)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        // Whoever stood for this member (a card punched before its member arrived) now stands
        // for the member it stands for.
        sqlx::query("UPDATE member_alias SET member_id = ? WHERE member_id = ?")
            .bind(now)
            .bind(member)
            .execute(&mut **tx)
            .await?;
        move_cards(tx, member, now).await?;
    }
    Ok(())
}

/// Adds `from`'s card totals to `to`'s, program by program, and leaves `from` with none.
pub(crate) async fn move_cards(tx: &mut WriteTx, from: MemberId, to: MemberId) -> Result<()> {
    let cards: Vec<(ProgramId, i64, i64)> = sqlx::query_as(
        "DELETE FROM card WHERE member_id = ? RETURNING program_id, punches_total, redeemed_total",
    )
    .bind(from)
    .fetch_all(&mut **tx)
    .await?;
    for (program, punches_total, redeemed_total) in cards {
        let changed = crate::counter::card::add_to_totals(
            tx,
            to,
            program,
            CardTotals {
                punches_total,
                redeemed_total,
            },
        )
        .await?;
        crate::counter::conflicts::watch_changed(tx, &changed).await?;
    }
    Ok(())
}

impl Store {
    /// Managers only: `other` is the same person as `keep`. Both keep their history and their
    /// cards' codes; everything of `other`'s counts for `keep` from now on.
    pub async fn merge_members(
        &self,
        actor: &Actor,
        keep: MemberId,
        other: MemberId,
    ) -> Result<MemberView> {
        actor.require(Permission::MergeMembers)?;
        let keep = canonical(self.pool(), keep).await?;
        let other = canonical(self.pool(), other).await?;
        if keep == other {
            return Err(CoreError::AlreadyOneMember);
        }
        self.member(keep).await?;
        self.member(other).await?;
        let mut tx = self.begin_write().await?;
        ledger::append(
            &mut tx,
            actor.staff_id,
            NewEvent {
                kind: EventKind::Merge,
                member_id: keep,
                program_id: None,
                amount: 0,
                voids: None,
                reason: None,
                other_member: Some(other),
                note: None,
                coupon_id: None,
            },
        )
        .await?;
        regroup(&mut tx, keep, other).await?;
        self.commit(tx).await?;
        self.member_view(keep).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(minute: u32, keep: u128, other: u128) -> MergeFact {
        MergeFact {
            id: EventId::new(),
            at: format!("2026-11-24T10:{minute:02}:00Z").parse().unwrap(),
            keep: MemberId(uuid::Uuid::from_u128(keep)),
            other: MemberId(uuid::Uuid::from_u128(other)),
        }
    }

    fn m(n: u128) -> MemberId {
        MemberId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn every_arrival_order_of_the_same_merges_gives_the_same_members() {
        let merges = [
            merge(1, 1, 2),
            merge(2, 3, 1),
            merge(3, 2, 4),
            merge(4, 5, 6),
        ];
        let expected = stands_for(&merges);
        assert_eq!(expected[&m(1)], m(3));
        assert_eq!(expected[&m(2)], m(3));
        assert_eq!(expected[&m(4)], m(3));
        assert_eq!(expected[&m(6)], m(5));
        let mut orders = vec![merges.to_vec()];
        orders.push(merges.iter().rev().cloned().collect());
        orders.push(vec![merges[2], merges[0], merges[3], merges[1]]);
        for order in orders {
            assert_eq!(stands_for(&order), expected);
        }
    }

    #[test]
    fn merging_two_people_both_ways_keeps_one_of_them_and_no_loop() {
        let both = [merge(1, 1, 2), merge(1, 2, 1)];
        let map = stands_for(&both);
        assert_eq!(map.len(), 1, "one stands for the other: {map:?}");
        let (merged, kept) = map.iter().next().unwrap();
        assert_ne!(merged, kept);
    }
}

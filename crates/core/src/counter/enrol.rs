//! Enrolment at the counter: the member, their first card, an `enroll` event and, if asked,
//! the first stamp, in one transaction; or, when the same email, phone number or name is
//! already a member, nothing written and the likely duplicates returned.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::cards::registry;
use crate::codes::member_code::MemberCode;
use crate::counter::actions::{self, ActionResult};
use crate::counter::lookup::MemberView;
use crate::error::{CoreError, Result};
use crate::ids::{MemberId, ProgramId, ShopId};
use crate::input::validate;
use crate::ledger::{self, EventKind, NewEvent};
use crate::people::auth::Permission;
use crate::people::members::{self, Member, NewMember, NewMemberRow};
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

/// How the counter enrols: refusing a likely duplicate unless told it is a different person,
/// and optionally giving the first stamp in the same transaction.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct EnrollOptions {
    /// The cashier saw the likely duplicates and says this is someone else.
    pub allow_likely_duplicate: bool,
    /// Stamp this program's card at once ("enrol and stamp"): one action, one transaction.
    pub first_stamp: Option<ProgramId>,
}

/// What enrolment did. A likely duplicate is an expected outcome the screen offers to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum EnrollOutcome {
    Enrolled {
        member: Member,
        first_stamp: Option<Box<ActionResult>>,
    },
    /// Nothing was written: these members have the same email, phone number or name.
    LikelyDuplicates { members: Vec<MemberView> },
}

impl Store {
    /// Enrols with no duplicate check and no stamp: scripts, imports and the demo.
    pub async fn enroll(&self, actor: &Actor, new: &NewMember) -> Result<Member> {
        let options = EnrollOptions {
            allow_likely_duplicate: true,
            first_stamp: None,
        };
        match self.enroll_with(actor, new, &options).await? {
            EnrollOutcome::Enrolled { member, .. } => Ok(member),
            EnrollOutcome::LikelyDuplicates { .. } => unreachable!("duplicates were allowed"),
        }
    }

    /// Enrolment at the counter: a member row, their first card and an `enroll` event (and the
    /// first stamp, if asked), in one transaction; or, when the same email, phone number or
    /// name is already a member and the cashier has not said otherwise, nothing written and
    /// the likely duplicates returned.
    pub async fn enroll_with(
        &self,
        actor: &Actor,
        new: &NewMember,
        options: &EnrollOptions,
    ) -> Result<EnrollOutcome> {
        actor.require(Permission::Enroll)?;
        let shop = self.require_shop().await?;
        let valid = ValidMember::check(new, &shop.language)?;
        if !options.allow_likely_duplicate {
            let members = self
                .likely_duplicates(
                    &valid.name,
                    valid.email.as_deref(),
                    valid.phone_tail().as_deref(),
                )
                .await?;
            if !members.is_empty() {
                let members = self.views_of(members).await?;
                return Ok(EnrollOutcome::LikelyDuplicates { members });
            }
        }
        let first_stamp_program = match options.first_stamp {
            Some(id) => Some(self.resolve_program(Some(id)).await?),
            None => None,
        };
        // Points are for an amount spent: the first purchase is punched at the till.
        if first_stamp_program
            .as_ref()
            .is_some_and(|p| p.kind == crate::counter::programs::ProgramKind::Points)
        {
            return Err(CoreError::AmountRequired);
        }

        let mut tx = self.begin_write().await?;
        let member = enrol_in(&mut tx, actor, shop.id, &valid, Utc::now()).await?;
        let id = member.id;
        let first_stamp = match &first_stamp_program {
            Some(program) => {
                let stamp = actions::punch_in(&mut tx, actor, program, id, 1, None).await?;
                Some(Box::new(stamp))
            }
            None => None,
        };
        self.commit(tx).await?;
        Ok(EnrollOutcome::Enrolled {
            member,
            first_stamp,
        })
    }
}

/// A new member's details, checked and normalised: what enrolment and an import both write.
pub(crate) struct ValidMember {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_digits: Option<String>,
    pub language: String,
}

impl ValidMember {
    /// `shop_language` when the member's is left out. The first problem, as enrolment says it.
    pub fn check(new: &NewMember, shop_language: &str) -> Result<ValidMember> {
        Self::check_each(new, shop_language).map_err(|mut problems| problems.remove(0).1)
    }

    /// Every field on its own, so that a row of a file with two mistakes names both: the
    /// problems by field (`name`, `email`, `phone`, `language`), in that order.
    pub fn check_each(
        new: &NewMember,
        shop_language: &str,
    ) -> std::result::Result<ValidMember, Vec<(&'static str, CoreError)>> {
        let name = validate::name(&new.name);
        let email = validate::email(new.email.as_deref());
        let phone = validate::phone(new.phone.as_deref());
        let language = match new.language.as_deref().filter(|l| !l.trim().is_empty()) {
            Some(l) => validate::language(l),
            None => Ok(shop_language.to_string()),
        };
        match (name, email, phone, language) {
            (Ok(name), Ok(email), Ok(phone), Ok(language)) => {
                let (phone, phone_digits) = phone.unzip();
                Ok(ValidMember {
                    name,
                    email,
                    phone,
                    phone_digits,
                    language,
                })
            }
            (name, email, phone, language) => Err([
                ("name", name.err()),
                ("email", email.err()),
                ("phone", phone.err()),
                ("language", language.err()),
            ]
            .into_iter()
            .filter_map(|(field, error)| Some((field, error?)))
            .collect()),
        }
    }

    /// What a phone number is looked up by (its last digits).
    pub fn phone_tail(&self) -> Option<String> {
        self.phone_digits.as_deref().map(crate::input::phone::tail)
    }
}

/// Writes a new member inside the caller's transaction: their row, their first card and the
/// `enroll` event.
pub(crate) async fn enrol_in(
    tx: &mut WriteTx,
    actor: &Actor,
    shop_id: ShopId,
    valid: &ValidMember,
    now: DateTime<Utc>,
) -> Result<Member> {
    let (id, code) = insert_member_and_card(tx, shop_id, valid, now).await?;
    ledger::append(
        tx,
        actor.staff_id,
        NewEvent {
            kind: EventKind::Enroll,
            member_id: id,
            program_id: None,
            amount: 0,
            voids: None,
            reason: None,
            other_member: None,
            note: None,
            coupon_id: None,
        },
    )
    .await?;
    Ok(Member {
        id,
        code: code.as_str().to_string(),
        name: valid.name.clone(),
        email: valid.email.clone(),
        phone: valid.phone.clone(),
        language: valid.language.clone(),
        created_at: now,
    })
}

/// A new member's row and first card, with a fresh code, inside the caller's transaction (the
/// `enroll` event is the caller's: the counter's is stamped now, a seeded past's is not).
pub(crate) async fn insert_member_and_card(
    tx: &mut WriteTx,
    shop_id: ShopId,
    valid: &ValidMember,
    created_at: DateTime<Utc>,
) -> Result<(MemberId, MemberCode)> {
    let id = MemberId::new();
    let code = registry::fresh_code(tx).await?;
    members::insert_member(
        tx,
        &NewMemberRow {
            id,
            code: &code,
            shop_id,
            name: &valid.name,
            email: valid.email.as_deref(),
            phone: valid.phone.as_deref(),
            phone_digits: valid.phone_digits.as_deref(),
            language: &valid.language,
            created_at,
        },
    )
    .await?;
    registry::register_card(tx, id, &code).await?;
    Ok((id, code))
}

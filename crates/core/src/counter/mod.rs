//! What happens at the counter: finding the member, stamping, redeeming, undoing, enrolling,
//! and the one rule that turns events into a card's state. Programs are what cards are of.

pub mod actions;
pub mod card;
pub mod conflicts;
pub mod coupons;
pub mod enrol;
pub mod foreign;
pub mod lookup;
pub mod merge;
pub mod programs;

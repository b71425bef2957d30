//! Listening and winning back (issue 13): complaints made right at the counter, with their
//! compensation and the member's answer at the next visit; segments of members read from the
//! ledger, and campaigns that write to the consented ones with a coupon each; short surveys of
//! the panel, and what the shop changed after them. Coupons themselves are the counter's
//! (`counter::coupons`).

pub mod campaigns;
pub mod complaints;
pub mod mail;
pub mod segments;
pub mod surveys;

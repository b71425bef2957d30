//! Listening and winning back (issue 13): complaints made right at the counter, with their
//! compensation and the member's answer at the next visit. Coupons themselves are the
//! counter's (`counter::coupons`).

pub mod complaints;

//! `mercfg`: a Mercately account as code.
//!
//! The pipeline reads from the module list: a [`manifest`] is loaded and checked, the live
//! account is read through the [`platform`] client into [`state`], [`plan`] diffs the two
//! without I/O, [`apply`] executes the changes, and [`render`] prints plans. The
//! [`sandbox`] emulates the platform over real HTTP; [`cli`] is the command line.

pub mod apply;
pub mod cli;
pub mod clock;
pub mod customers;
pub mod manifest;
pub mod plan;
pub mod platform;
pub mod render;
pub mod sandbox;
pub mod state;

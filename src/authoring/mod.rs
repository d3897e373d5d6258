//! The rule authors' tools: `tally test` runs a pack's fixtures ([`rule_test`], cases read by
//! [`fixture`], derived by [`mutation`] through YAML [`patch`]es), and `tally explain` and
//! `tally rules` describe the rule set ([`rule_info`]), and `tally lint` finds rules that
//! cannot do what they were written for ([`lint`]). Their command-line
//! side (arguments, printing, exit codes) is in the `cli` module.

pub mod fixture;
pub mod lint;
pub mod mutation;
pub mod patch;
pub mod rule_info;
pub mod rule_test;

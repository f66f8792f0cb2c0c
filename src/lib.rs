//! `ahr`: an account-health auditor for Amazon sellers.
//!
//! Data flows one way: [`input`] reads an account folder into typed records;
//! [`metrics`] and the [`checks`] configured by the [`policy`] turn them into
//! [`findings`]; [`score`] rates the findings; [`report`] renders the result.
//! [`audit`] runs that pipeline for one account.

pub mod amazon;
pub mod appeal;
pub mod assurance;
pub mod audit;
pub mod batch;
pub mod checks;
pub mod cli;
pub mod exact;
pub mod findings;
pub mod forecast;
#[doc(hidden)]
pub mod fuzzing;
pub mod gate;
pub mod i18n;
pub mod init;
pub mod input;
pub mod linkage;
pub mod metrics;
pub mod output;
pub mod parallel;
pub mod policy;
pub mod privacy;
pub mod report;
pub mod score;
#[cfg(test)]
mod test_support;
pub mod waivers;

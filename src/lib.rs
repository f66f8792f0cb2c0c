//! ahr: account-health auditor for Amazon sellers.

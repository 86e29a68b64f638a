"""Singer tap for Zoom's security logs (sign-in/sign-out activity, admin operation logs)."""

"""Holder accounts, kept separately by each portal: registration, login, SMS, captcha, face check."""

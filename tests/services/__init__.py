"""Tests of the services (xlsbridge/services): whole user actions, fuzzing, privacy, doctor and bundle."""

"""Shipped reference data files (CSV and TOML), read by ``homeward.reference.loader``.

This directory is a package so that the files ship in the wheel as package data and can
be found with ``importlib.resources``.
"""

"""PAdES signing and validation for eoffice, on top of pyHanko.

A library: it imports neither Flask nor the eoffice application.
"""

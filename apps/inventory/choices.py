from django.db import models


class MaterialKind(models.TextChoices):
    FABRIC = "fabric", "Fabric"
    TRIM = "trim", "Trim"
    ACCESSORY = "accessory", "Accessory"
    PACKING = "packing", "Packing"


class Unit(models.TextChoices):
    METRE = "m", "Metre"
    YARD = "yd", "Yard"
    KILOGRAM = "kg", "Kilogram"
    PIECE = "pcs", "Piece"
    CONE = "cone", "Cone"
    ROLL = "roll", "Roll"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    ISSUE = "issue", "Issue"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER = "transfer", "Transfer"

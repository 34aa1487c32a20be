from django.db import models


class VectorKey(models.Model):
    """Maps a FAISS id back to the graph key it was derived from."""

    vid = models.BigIntegerField(primary_key=True)
    index = models.CharField(max_length=16)
    key = models.CharField(max_length=300)

    class Meta:
        db_table = "ingest_vectorkey"  # created by ingest before the index had its own app
        constraints = [models.UniqueConstraint(fields=["index", "key"], name="unique_index_key")]

"""Recurrent layers, the regularizers that make recurrent models generalize, and a CRF for tagging."""

from seqtk.layers.activation_regularization import ActivationRegularization
from seqtk.layers.crf import CRF, scheme_constraints
from seqtk.layers.embedding_dropout import EmbeddingDropout
from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_layer import RecurrentLayer
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.layers.tied_embedding import TiedEmbedding

__all__ = [
    "ActivationRegularization",
    "CRF",
    "EmbeddingDropout",
    "LockedDropout",
    "RecurrentLayer",
    "RecurrentStack",
    "TiedEmbedding",
    "scheme_constraints",
]

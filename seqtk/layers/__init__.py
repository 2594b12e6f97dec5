"""Recurrent layers and the regularizers that make recurrent models generalize."""

from seqtk.layers.activation_regularization import ActivationRegularization
from seqtk.layers.embedding_dropout import EmbeddingDropout
from seqtk.layers.locked_dropout import LockedDropout
from seqtk.layers.recurrent_layer import RecurrentLayer
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.layers.tied_embedding import TiedEmbedding

__all__ = [
    "ActivationRegularization",
    "EmbeddingDropout",
    "LockedDropout",
    "RecurrentLayer",
    "RecurrentStack",
    "TiedEmbedding",
]

"""`seqtk serve`: models over HTTP (FastAPI on uvicorn) with dynamic batching, and a page to try them."""

# Names load on first use (lazy_loader), so importing one module of the package starts nothing else
# (no TensorFlow for a LiteRT folder).
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "model_server": ["create_app", "model_specs", "serve"],
        "serve_limits": ["ServeLimits"],
    },
)

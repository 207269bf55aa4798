"""Reading files into facts: discovery, decoding and parsing, one walk to `ModuleFacts`, and the stored encoding."""

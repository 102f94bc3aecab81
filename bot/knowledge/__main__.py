"""``python -m bot.knowledge``: rewrite domain/faq_responses.yml from the knowledge files."""

import sys

from bot.knowledge.answers import main

sys.exit(main())

build/release/src/git/merge.o: src/git/merge.c src/git/merge.h \
 src/git/repo.h src/lib/buf.h src/lib/run.h src/lib/strvec.h \
 src/lib/err.h
src/git/merge.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/lib/strvec.h:
src/lib/err.h:

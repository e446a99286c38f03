package io.fle4j.internal.auto.driver;

import io.fle4j.internal.auto.decrypt.BatchDecryption;
import io.fle4j.internal.auto.decrypt.DecryptingCursor;

import com.mongodb.ExplainVerbosity;
import com.mongodb.Function;
import com.mongodb.ServerAddress;
import com.mongodb.ServerCursor;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoIterable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Spliterators;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.configuration.CodecRegistry;

/**
 * Find and aggregate iterables of an encrypting collection. The driver runs the command and
 * returns raw, still encrypted documents; the iterable hands out the application's documents
 * through a {@link DecryptingCursor}, which decrypts each batch as a whole (with helper threads)
 * before decoding it with the application's codec. Builder calls go to the driver's iterable and
 * return the wrapper; a find's later filter is rewritten and its sort, min and max are checked,
 * as {@link RewritingIterables} does for distinct.
 */
public final class DecryptingIterables {
  private DecryptingIterables() {}

  /** What turns raw results into the application's: the batch decryptor and its codecs. */
  public record Results(BatchDecryption decryption, CodecRegistry registry) {}

  @SuppressWarnings("unchecked")
  public static <R> FindIterable<R> find(FindIterable<RawBsonDocument> raw, Class<R> resultClass,
      Results results, IterableInputs inputs) {
    return (FindIterable<R>) proxy(FindIterable.class, raw, resultClass, results, inputs);
  }

  @SuppressWarnings("unchecked")
  public static <R> AggregateIterable<R> aggregate(AggregateIterable<RawBsonDocument> raw,
      Class<R> resultClass, Results results, IterableInputs inputs) {
    return (AggregateIterable<R>) proxy(AggregateIterable.class, raw, resultClass, results, inputs);
  }

  private static Object proxy(Class<?> type, MongoIterable<RawBsonDocument> raw, Class<?> resultClass,
      Results results, IterableInputs inputs) {
    InvocationHandler handler = new InvocationHandler() {
      @Override
      @SuppressWarnings({"unchecked", "rawtypes"})
      public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
          return RewritingIterables.objectMethod(proxy, raw, method, args);
        }
        IterableMethods.Kind kind = IterableMethods.require(type, method);
        int arity = args == null ? 0 : args.length;
        switch (method.getName()) {
          case "iterator", "cursor" -> {
            if (arity == 0) {
              return cursor();
            }
          }
          case "first" -> {
            RawBsonDocument first = raw.first();
            return first == null ? null
                : DecryptingCursor.decode(first, results.decryption(), results.registry().get(resultClass));
          }
          case "into" -> {
            try (MongoCursor<?> cursor = cursor()) {
              while (cursor.hasNext()) {
                ((Collection) args[0]).add(cursor.next());
              }
            }
            return args[0];
          }
          case "forEach" -> {
            try (MongoCursor<?> cursor = cursor()) {
              while (cursor.hasNext()) {
                ((Consumer) args[0]).accept(cursor.next());
              }
            }
            return null;
          }
          case "spliterator" -> {
            return Spliterators.spliteratorUnknownSize(cursor(), 0);
          }
          case "map" -> {
            return new MappedIterable<>((MongoIterable<Object>) proxy, (Function<Object, Object>) args[0]);
          }
          case "explain" -> {
            return explain(type, raw, args, results);
          }
          default -> { }
        }
        Object[] rewritten = kind == IterableMethods.Kind.ANALYSED
            ? inputs.rewrite(method, args) : args;
        return RewritingIterables.forward(proxy, raw, method, rewritten);
      }

      private MongoCursor<?> cursor() {
        return new DecryptingCursor<>(raw.cursor(), results.decryption(),
            results.registry().get(resultClass));
      }
    };
    return Proxy.newProxyInstance(DecryptingIterables.class.getClassLoader(), new Class<?>[] {type},
        handler);
  }

  /** The plan in the class asked for (Document by default), decrypted like any reply. */
  private static Object explain(Class<?> type, Object raw, Object[] args, Results results)
      throws Throwable {
    Class<?> target = Document.class;
    ExplainVerbosity verbosity = null;
    for (Object arg : args == null ? new Object[0] : args) {
      if (arg instanceof Class<?> c) {
        target = c;
      } else if (arg instanceof ExplainVerbosity v) {
        verbosity = v;
      }
    }
    Method explain = verbosity == null ? type.getMethod("explain", Class.class)
        : type.getMethod("explain", Class.class, ExplainVerbosity.class);
    Object[] rawArgs = verbosity == null ? new Object[] {RawBsonDocument.class}
        : new Object[] {RawBsonDocument.class, verbosity};
    RawBsonDocument plan = (RawBsonDocument) RewritingIterables.forward(null, raw, explain, rawArgs);
    return DecryptingCursor.decode(plan, results.decryption(), results.registry().get(target));
  }

  /** {@code MongoIterable.map}: applies the function to each decrypted, decoded result. */
  private static final class MappedIterable<T, U> implements MongoIterable<U> {
    private final MongoIterable<T> source;
    private final Function<T, U> mapper;

    MappedIterable(MongoIterable<T> source, Function<T, U> mapper) {
      this.source = source;
      this.mapper = mapper;
    }

    @Override
    public MongoCursor<U> iterator() {
      return cursor();
    }

    @Override
    public MongoCursor<U> cursor() {
      MongoCursor<T> cursor = source.cursor();
      return new MongoCursor<>() {
        @Override
        public void close() {
          cursor.close();
        }

        @Override
        public boolean hasNext() {
          return cursor.hasNext();
        }

        @Override
        public U next() {
          return mapper.apply(cursor.next());
        }

        @Override
        public int available() {
          return cursor.available();
        }

        @Override
        public U tryNext() {
          T next = cursor.tryNext();
          return next == null ? null : mapper.apply(next);
        }

        @Override
        public ServerCursor getServerCursor() {
          return cursor.getServerCursor();
        }

        @Override
        public ServerAddress getServerAddress() {
          return cursor.getServerAddress();
        }
      };
    }

    @Override
    public U first() {
      T first = source.first();
      return first == null ? null : mapper.apply(first);
    }

    @Override
    public <V> MongoIterable<V> map(Function<U, V> next) {
      return new MappedIterable<>(this, next);
    }

    @Override
    public void forEach(Consumer<? super U> action) {
      try (MongoCursor<U> cursor = cursor()) {
        while (cursor.hasNext()) {
          action.accept(cursor.next());
        }
      }
    }

    @Override
    public <A extends Collection<? super U>> A into(A target) {
      forEach(target::add);
      return target;
    }

    @Override
    public MongoIterable<U> batchSize(int batchSize) {
      source.batchSize(batchSize);
      return this;
    }
  }
}

package io.fle4j.internal.auto;

import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;

/**
 * Find and distinct iterables take a filter (and find a sort, min and max) after they are
 * created, so the driver's iterable is wrapped: those arguments go through the collection's
 * rewriter like the ones given to {@code find} itself. Every other call is passed on; builder
 * calls keep returning the wrapper.
 */
final class RewritingIterables {
  private RewritingIterables() {}

  @SuppressWarnings("unchecked")
  static <R> FindIterable<R> find(FindIterable<R> iterable, CommandRewriter rewriter,
      Function<Bson, BsonDocument> toBson) {
    return (FindIterable<R>) proxy(FindIterable.class, iterable, rewriter, toBson);
  }

  @SuppressWarnings("unchecked")
  static <R> DistinctIterable<R> distinct(DistinctIterable<R> iterable, CommandRewriter rewriter,
      Function<Bson, BsonDocument> toBson) {
    return (DistinctIterable<R>) proxy(DistinctIterable.class, iterable, rewriter, toBson);
  }

  private static Object proxy(Class<?> type, Object delegate, CommandRewriter rewriter,
      Function<Bson, BsonDocument> toBson) {
    InvocationHandler handler = new InvocationHandler() {
      @Override
      public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (args != null && args.length == 1 && args[0] instanceof Bson bson) {
          switch (method.getName()) {
            case "filter" -> args = new Object[] {rewriter.rewriteFilter(toBson.apply(bson))};
            case "sort", "min", "max" -> rewriter.checkSort(toBson.apply(bson));
            default -> { }
          }
        }
        if (method.getDeclaringClass() == Object.class) {
          return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "Encrypting" + delegate;
          };
        }
        try {
          Object result = method.invoke(delegate, args);
          return result == delegate ? proxy : result;
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    };
    return Proxy.newProxyInstance(RewritingIterables.class.getClassLoader(), new Class<?>[] {type},
        handler);
  }
}
